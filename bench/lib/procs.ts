import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { setPriority } from 'node:os';

let priority: number | null = null;
/**
 * Scheduling priority (nice value) for this process and every server it starts. On a machine shared
 * with other work, a negative value (root only) keeps run-queue waits out of the latencies.
 */
export function usePriority(nice: number): void {
  priority = nice;
  setPriority(0, nice);
}

/** Runs under `nice` (which execs, keeping the pid) so every thread of the server gets the priority. */
function spawnTracked(cmd: string, args: string[], stdio: 'pipe' | 'inherit'): ChildProcess {
  const [c, a] = priority === null ? [cmd, args] : ['nice', ['-n', String(priority), cmd, ...args]];
  const child = spawn(c, a, { stdio: ['ignore', stdio, 'inherit'] });
  started.push(child);
  return child;
}

const started: ChildProcess[] = [];

/** Starts a compiled child (`bench/targets/*.js`) and waits for its READY line. */
export function startNode(file: string, args: string[], execArgv: string[] = []): Promise<Proc> {
  const child = spawnTracked(process.execPath, [...execArgv, file, ...args], 'pipe');
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      const m = /READY (\S+)\n/.exec(buf);
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(new Proc(child, m[1]!));
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${file} exited early (${code})`)));
  });
}

/**
 * Starts the `gatehouse` command (bench/targets/cli.js: `start --config FILE`) as a user does, its
 * stdout (the per-request log lines) appended to `logFile`, and waits for the line it prints on
 * stderr once it listens.
 */
export function startCli(
  file: string,
  args: string[],
  logFile: string,
  execArgv: string[] = [],
): Promise<Proc> {
  const fd = openSync(logFile, 'a');
  const [c, a] =
    priority === null
      ? [process.execPath, [...execArgv, file, ...args]]
      : ['nice', ['-n', String(priority), process.execPath, ...execArgv, file, ...args]];
  const child = spawn(c, a, { stdio: ['ignore', fd, 'pipe'] });
  closeSync(fd);
  started.push(child);
  const stderr = child.stderr;
  if (stderr === null) throw new Error('no stderr pipe');
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      const m = /gatehouse listening on (\S+)\n/.exec(buf);
      if (m?.[1] !== undefined) {
        stderr.off('data', onData);
        stderr.pipe(process.stderr);
        resolve(new Proc(child, m[1]));
      }
    };
    stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`gatehouse exited early (${code}):\n${buf}`)));
  });
}

/** Starts a non-Node server and waits until its port accepts connections. */
export async function startCommand(cmd: string, args: string[], url: string): Promise<Proc> {
  const child = spawnTracked(cmd, args, 'inherit');
  const u = new URL(url);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${cmd} exited (${child.exitCode})`);
    if (await canConnect(Number(u.port), u.hostname)) return new Proc(child, url);
    if (Date.now() > deadline) throw new Error(`${cmd} did not listen on ${url}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function canConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host, () => {
      s.end();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * CPU time of one process (all its threads), in µs, from the scheduler's own accounting
 * (/proc/<pid>/task/<tid>/schedstat, nanoseconds). utime/stime in /proc/<pid>/stat are sampled at
 * the timer tick, which on this VM charged a server woken by the 50 ms mock several times its real
 * CPU time at low request rates.
 */
function cpuOf(pid: number): number {
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread exited between the listing and the read
      }
    }
  } catch {
    return 0;
  }
  return ns / 1000;
}

function childrenOf(pid: number): number[] {
  try {
    const out: number[] = [];
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const c = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim();
      if (c !== '') for (const x of c.split(' ')) out.push(Number(x));
    }
    return out;
  } catch {
    return [];
  }
}

export class Proc {
  constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {}

  /** CPU time of the process and its children (nginx workers), µs. */
  cpuMicros(): number {
    const pid = this.child.pid!;
    let t = cpuOf(pid);
    for (const c of childrenOf(pid)) t += cpuOf(c);
    return t;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.kill('SIGTERM');
    });
  }
}

/** Last-resort cleanup: only the processes this run started, by pid. */
export function killStarted(): void {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
