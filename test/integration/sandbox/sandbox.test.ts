import { describe, expect, it } from 'vitest';
import { sandboxSchema } from '../../../src/config/schema/sandbox.js';
import {
  bwrapArgs,
  checkSandboxHost,
  runSandboxed,
  SandboxUnavailableError,
} from '../../../src/sandbox/runner.js';
import { seccompFilter } from '../../../src/sandbox/seccomp.js';

/*
 * Real bubblewrap runs (Debian's bubblewrap, installed by .ci/run). The limits are set low so the
 * runaway cases end quickly; each assertion is about what the kernel refused, not how fast.
 */
const cfg = sandboxSchema.parse({ limits: { wallMs: 4_000, cpuSeconds: 2, outputBytes: 4_096 } });
const py = (code: string, stdin?: string) =>
  runSandboxed(cfg, { language: 'python', code, ...(stdin !== undefined && { stdin }) });

describe('code sandbox (bubblewrap)', () => {
  it('the host can sandbox: bwrap, prlimit and user namespaces are present', () => {
    expect(() => checkSandboxHost(cfg)).not.toThrow();
  });

  it('runs Python and Node.js with stdin, stdout and the exit code', async () => {
    const p = await py('import sys; print(sys.stdin.read().upper()); sys.exit(3)', 'hello');
    expect(p).toMatchObject({ stdout: 'HELLO\n', exitCode: 3, limit: null });
    const n = await runSandboxed(cfg, { language: 'node', code: 'process.stdout.write(String(6 * 7))' });
    expect(n).toMatchObject({ stdout: '42', exitCode: 0 });
  });

  it('has no network: no interface but a down loopback', async () => {
    const r = await py(
      'import socket\nfor host in ("127.0.0.1", "1.1.1.1"):\n  try:\n    socket.create_connection((host, 80), timeout=2); print("connected")\n  except OSError as e: print(e.errno)',
    );
    expect(r.stdout).not.toContain('connected');
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('cannot write outside its tmpfs, and sees no host home or secrets', async () => {
    const r = await py(
      'import os\nfor p in ("/usr/evil", "/etc/evil", "/evil"):\n  try:\n    open(p, "w"); print("wrote", p)\n  except OSError as e: print("refused", p)\nprint(sorted(os.listdir("/")))\nprint(dict(os.environ))',
    );
    expect(r.stdout).not.toContain('wrote');
    expect(r.stdout).toContain('refused /usr/evil');
    expect(r.stdout).not.toMatch(/'root'|'home'|'etc'/);
    expect(r.stdout).not.toContain('REDIS');
  });

  it('leaves nothing behind for the next run', async () => {
    const first = await py(
      'open("/work/left.txt", "w").write("x"); open("/tmp/left.txt", "w").write("x"); print("ok")',
    );
    expect(first.stdout).toBe('ok\n');
    const second = await py(
      'import os; print(os.path.exists("/work/left.txt"), os.path.exists("/tmp/left.txt"))',
    );
    expect(second.stdout).toBe('False False\n');
  });

  it('stops an infinite loop (CPU limit or wall clock)', async () => {
    const r = await py('while True: pass');
    expect(r.exitCode).toBeNull();
    expect(r.signal).not.toBeNull();
  });

  it('stops a fork bomb at the process limit', async () => {
    const r = await py(
      'import os\nn = 0\ntry:\n  while True:\n    if os.fork() == 0:\n      import time; time.sleep(30)\n    n += 1\nexcept OSError as e:\n  print("refused after", n)',
    );
    const m = /refused after (\d+)/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m?.[1])).toBeLessThan(cfg.limits.processes);
  });

  it('refuses a 1 GB allocation', async () => {
    const r = await py('x = bytearray(1 << 30); print("allocated")');
    expect(r.stdout).not.toContain('allocated');
    expect(r.stderr).toContain('MemoryError');
  });

  it('caps output and kills the run that exceeds it', async () => {
    const r = await py('import sys\nwhile True: sys.stdout.write("x" * 1000)');
    expect(r.limit).toBe('output');
    expect(r.truncated).toBe(true);
    expect(r.stdout.length).toBe(cfg.limits.outputBytes);
  });

  it('refuses namespace and mount syscalls (seccomp)', async () => {
    expect(seccompFilter()).not.toBeNull();
    const r = await py(
      'import ctypes, ctypes.util\nlibc = ctypes.CDLL(None, use_errno=True)\nfor name, call in (("unshare", lambda: libc.unshare(0x10000000)), ("mount", lambda: libc.mount(b"none", b"/work", b"tmpfs", 0, None)), ("ptrace", lambda: libc.ptrace(16, 1, 0, 0))):\n  rc = call(); print(name, rc, ctypes.get_errno())',
    );
    expect(r.stdout).toBe('unshare -1 1\nmount -1 1\nptrace -1 1\n');
  });

  it('refuses to start without bubblewrap rather than run unsandboxed', async () => {
    const bad = sandboxSchema.parse({ bwrap: '/nonexistent/bwrap' });
    expect(() => checkSandboxHost(bad)).toThrow(SandboxUnavailableError);
    await expect(runSandboxed(bad, { language: 'python', code: 'print(1)' })).rejects.toThrow(
      SandboxUnavailableError,
    );
  });

  it('builds the namespaces it claims', () => {
    const args = bwrapArgs(cfg, { language: 'python', code: 'print(1)' }, 3);
    for (const flag of ['--unshare-all', '--die-with-parent', '--clearenv', '--new-session', '--seccomp'])
      expect(args).toContain(flag);
    expect(args).not.toContain('--share-net');
  });
});
