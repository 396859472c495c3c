/**
 * A seccomp-BPF filter for sandboxed code, handed to bubblewrap (`--seccomp FD`), which installs it
 * after building the namespaces. It refuses the syscalls that widen a container from inside —
 * new namespaces (`unshare`, `setns`, `clone` with CLONE_NEWUSER), mounts, ptrace and cross-process
 * memory access, keyrings, BPF, userfaultfd, perf, io_uring, module and kexec loading — with EPERM,
 * and `clone3` with ENOSYS (its flags are behind a pointer BPF cannot read; libc then falls back to
 * `clone`, which is checked). Any other architecture than the one compiled for is killed, so a
 * 32-bit or x32 syscall cannot slip past the table.
 */

const LD_W_ABS = 0x20;
const JMP_JEQ_K = 0x15;
const JMP_JGE_K = 0x35;
const JMP_JSET_K = 0x45;
const RET_K = 0x06;

const RET_ALLOW = 0x7fff0000;
const RET_KILL_PROCESS = 0x80000000;
const RET_ERRNO = 0x00050000;
const EPERM = 1;
const ENOSYS = 38;
const CLONE_NEWUSER = 0x10000000;
const X32_SYSCALL_BIT = 0x40000000;

interface ArchTable {
  readonly audit: number;
  readonly clone: number;
  readonly clone3: number;
  readonly denied: readonly number[];
}

// Syscall numbers from the kernel's tables (arch/x86/entry/syscalls/syscall_64.tbl and the
// generic unistd.h used by arm64).
const TABLES: Readonly<Partial<Record<NodeJS.Architecture, ArchTable>>> = {
  x64: {
    audit: 0xc000003e,
    clone: 56,
    clone3: 435,
    // ptrace mount umount2 pivot_root swapon swapoff reboot sethostname setdomainname init_module
    // delete_module kexec_load add_key request_key keyctl unshare perf_event_open open_by_handle_at
    // setns process_vm_readv process_vm_writev finit_module kexec_file_load bpf userfaultfd
    // io_uring_setup fsopen fsmount move_mount open_tree
    denied: [
      101, 165, 166, 155, 167, 168, 169, 170, 171, 175, 176, 246, 248, 249, 250, 272, 298, 304, 308, 310, 311,
      313, 320, 321, 323, 425, 430, 432, 429, 428,
    ],
  },
  arm64: {
    audit: 0xc00000b7,
    clone: 220,
    clone3: 435,
    denied: [
      117, 40, 39, 41, 224, 225, 142, 161, 162, 105, 106, 104, 217, 218, 219, 97, 241, 265, 268, 270, 271,
      273, 294, 280, 282, 425, 430, 432, 429, 428,
    ],
  },
};

interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** The filter as bubblewrap reads it (struct sock_filter[], little-endian), or null on an unknown architecture. */
export function seccompFilter(arch: NodeJS.Architecture = process.arch): Buffer | null {
  const t = TABLES[arch];
  if (!t) return null;
  // Layout: [arch check][nr load][x32 check][denied list][clone check][clone3][ALLOW][EPERM][ENOSYS][KILL]
  const prog: Insn[] = [];
  const n = t.denied.length;
  // Indexes of the return instructions, counted from the start.
  const head = 4; // ld arch, jeq arch, ld nr, jge x32
  const body = n + 4; // denied jeqs + (jeq clone, ld arg0, jset) + jeq clone3
  const iAllow = head + body;
  const iEperm = iAllow + 1;
  const iEnosys = iAllow + 2;
  const iKill = iAllow + 3;
  const to = (from: number, target: number) => target - from - 1;
  prog.push({ code: LD_W_ABS, jt: 0, jf: 0, k: 4 });
  prog.push({ code: JMP_JEQ_K, jt: 0, jf: to(1, iKill), k: t.audit });
  prog.push({ code: LD_W_ABS, jt: 0, jf: 0, k: 0 });
  prog.push({ code: JMP_JGE_K, jt: to(3, iEperm), jf: 0, k: X32_SYSCALL_BIT });
  t.denied.forEach((nr, i) => {
    const at = head + i;
    prog.push({ code: JMP_JEQ_K, jt: to(at, iEperm), jf: 0, k: nr });
  });
  let at = head + n;
  // clone: refuse CLONE_NEWUSER in flags (args[0], low word at offset 16).
  prog.push({ code: JMP_JEQ_K, jt: 0, jf: 2, k: t.clone });
  at++;
  prog.push({ code: LD_W_ABS, jt: 0, jf: 0, k: 16 });
  at++;
  prog.push({ code: JMP_JSET_K, jt: to(at, iEperm), jf: to(at, iAllow), k: CLONE_NEWUSER });
  at++;
  prog.push({ code: JMP_JEQ_K, jt: to(at, iEnosys), jf: 0, k: t.clone3 });
  prog.push({ code: RET_K, jt: 0, jf: 0, k: RET_ALLOW });
  prog.push({ code: RET_K, jt: 0, jf: 0, k: RET_ERRNO | EPERM });
  prog.push({ code: RET_K, jt: 0, jf: 0, k: RET_ERRNO | ENOSYS });
  prog.push({ code: RET_K, jt: 0, jf: 0, k: RET_KILL_PROCESS });
  const buf = Buffer.alloc(prog.length * 8);
  prog.forEach((p, i) => {
    if (p.jt > 255 || p.jf > 255) throw new Error('seccomp program too long for 8-bit jumps');
    buf.writeUInt16LE(p.code, i * 8);
    buf.writeUInt8(p.jt, i * 8 + 2);
    buf.writeUInt8(p.jf, i * 8 + 3);
    buf.writeUInt32LE(p.k >>> 0, i * 8 + 4);
  });
  return buf;
}
