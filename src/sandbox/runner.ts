import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import type { SandboxConfig, SandboxLanguage } from '../config/schema/sandbox.js';
import { seccompFilter } from './seccomp.js';

export interface SandboxRequest {
  readonly language: SandboxLanguage;
  readonly code: string;
  readonly stdin?: string;
}

export interface SandboxResult {
  readonly stdout: string;
  readonly stderr: string;
  /** The program's exit code; null when it was killed. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Why the run was cut short, if it was: our wall clock or output cap, or the kernel's CPU limit. */
  readonly limit: 'wall_clock' | 'output' | 'cpu' | null;
  readonly truncated: boolean;
  readonly durationMs: number;
}

export class SandboxUnavailableError extends Error {}

function signalName(n: number): string | null {
  const hit = Object.entries(osConstants.signals).find(([, v]) => v === n);
  return hit ? hit[0] : null;
}

/** Bound read-only inside every sandbox: the merged-/usr system (interpreters and their libraries). */
const SYSTEM_BINDS = [
  '--ro-bind',
  '/usr',
  '/usr',
  '--symlink',
  'usr/lib',
  '/lib',
  '--symlink',
  'usr/lib64',
  '/lib64',
  '--symlink',
  'usr/bin',
  '/bin',
];

/**
 * Checks, once at boot, that the sandbox can really isolate: bwrap and prlimit present, the
 * interpreters present, and an unprivileged user namespace can be made. Refusing to start beats
 * running code unsandboxed.
 */
export function checkSandboxHost(cfg: SandboxConfig): void {
  for (const [what, path] of [
    ['bwrap', cfg.bwrap],
    ['prlimit', cfg.prlimit],
  ] as const) {
    try {
      accessSync(path, constants.X_OK);
    } catch {
      throw new SandboxUnavailableError(
        `${what} not found at ${path} (Debian: apt install ${what === 'bwrap' ? 'bubblewrap' : 'util-linux'})`,
      );
    }
  }
  const max = readIntFile('/proc/sys/user/max_user_namespaces');
  if (max === 0)
    throw new SandboxUnavailableError('user namespaces are disabled (user.max_user_namespaces = 0)');
  if (readIntFile('/proc/sys/kernel/unprivileged_userns_clone') === 0)
    throw new SandboxUnavailableError(
      'unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0)',
    );
}

function readIntFile(p: string): number | null {
  try {
    return Number(readFileSync(p, 'utf8').trim());
  } catch {
    return null;
  }
}

function interpreterArgs(cfg: SandboxConfig, req: SandboxRequest): string[] {
  const bin = cfg.runtimes[req.language].binary;
  if (req.language === 'python') return [bin, '-I', '-B', '-c', req.code];
  // V8 reserves address space well beyond its heap; cap the heap below the address-space limit.
  const heapMb = Math.max(32, Math.floor(cfg.limits.memoryBytes / (1024 * 1024) / 4));
  return [bin, `--max-old-space-size=${heapMb}`, '--disallow-code-generation-from-strings', '-e', req.code];
}

/** A runtime installed outside /usr (nvm, /opt) is bound read-only at the same path. */
function runtimeBinds(cfg: SandboxConfig, language: SandboxLanguage): string[] {
  const bin = cfg.runtimes[language].binary;
  if (bin.startsWith('/usr/')) return [];
  const prefix = dirname(dirname(bin));
  return existsSync(prefix) ? ['--ro-bind', prefix, prefix] : [];
}

export function bwrapArgs(cfg: SandboxConfig, req: SandboxRequest, seccompFd: number | null): string[] {
  const l = cfg.limits;
  return [
    '--unshare-all',
    '--unshare-user',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--setenv',
    'PATH',
    '/usr/bin',
    '--setenv',
    'HOME',
    '/work',
    '--setenv',
    'LANG',
    'C.UTF-8',
    '--hostname',
    'sandbox',
    ...SYSTEM_BINDS,
    ...runtimeBinds(cfg, req.language),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--tmpfs',
    '/work',
    // The root bwrap builds is a writable tmpfs: made read-only, only /work and /tmp take writes.
    '--remount-ro',
    '/',
    '--chdir',
    '/work',
    '--cap-drop',
    'ALL',
    ...(seccompFd === null ? [] : ['--seccomp', String(seccompFd)]),
    '--',
    cfg.prlimit,
    `--cpu=${l.cpuSeconds}`,
    `--as=${l.memoryBytes}`,
    `--nproc=${l.processes}`,
    `--fsize=${l.fileBytes}`,
    `--nofile=${l.openFiles}`,
    '--core=0',
    '--',
    ...interpreterArgs(cfg, req),
  ];
}

/**
 * Runs one program in a fresh sandbox: new user, PID, IPC, UTS, cgroup and network namespaces (no
 * interface but a down loopback), the system read-only, a tmpfs work dir that disappears with the
 * run, no host home, environment or secrets, all capabilities dropped, the seccomp filter, and
 * rlimits on CPU, address space, processes, file size and open files. The wall clock kills the
 * whole tree: bwrap is PID 1's parent in the namespace and dies with its process group, taking
 * every process of the namespace with it. Output past the cap kills the run too.
 */
export function runSandboxed(cfg: SandboxConfig, req: SandboxRequest): Promise<SandboxResult> {
  const started = performance.now();
  const filter = seccompFilter();
  const asRoot = process.getuid?.() === 0;
  const child = spawn(cfg.bwrap, bwrapArgs(cfg, req, filter ? 3 : null), {
    stdio: ['pipe', 'pipe', 'pipe', ...(filter ? (['pipe'] as const) : [])],
    detached: true,
    env: {},
    ...(asRoot && { uid: cfg.runAsUid, gid: cfg.runAsGid }),
  });
  if (filter) {
    const fd = child.stdio[3] as Writable | null;
    fd?.on('error', () => undefined);
    fd?.end(filter);
  }
  const cap = cfg.limits.outputBytes;
  const out = { stdout: [] as Buffer[], stderr: [] as Buffer[], n: { stdout: 0, stderr: 0 } };
  let limit: SandboxResult['limit'] = null;
  let truncated = false;
  const kill = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const wall = setTimeout(() => {
    limit ??= 'wall_clock';
    kill();
  }, cfg.limits.wallMs);
  for (const name of ['stdout', 'stderr'] as const) {
    child[name].on('data', (c: Buffer) => {
      const room = cap - out.n[name];
      if (room > 0) out[name].push(c.subarray(0, room));
      out.n[name] += c.length;
      if (out.n[name] > cap) {
        truncated = true;
        limit ??= 'output';
        kill();
      }
    });
  }
  child.stdin.on('error', () => undefined);
  child.stdin.end(req.stdin ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      clearTimeout(wall);
      reject(new SandboxUnavailableError(`cannot start the sandbox: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(wall);
      // bwrap exits 128 + n when the program died of signal n (SIGXCPU at the CPU limit, SIGKILL).
      const died = code !== null && code > 128 ? signalName(code - 128) : null;
      // Not our kill (limit unset): the kernel's, and of the rlimits only RLIMIT_CPU kills.
      if (died === 'SIGXCPU' || died === 'SIGKILL') limit ??= 'cpu';
      resolve({
        stdout: Buffer.concat(out.stdout).toString('utf8'),
        stderr: Buffer.concat(out.stderr).toString('utf8'),
        exitCode: limit === null && died === null ? code : null,
        signal: signal ?? died ?? (limit !== null ? 'SIGKILL' : null),
        limit,
        truncated,
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}
