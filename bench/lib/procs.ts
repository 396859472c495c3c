import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

const started: ChildProcess[] = [];

/** Starts a compiled child (`bench/targets/*.js`) and waits for its READY line. */
export function startNode(file: string, args: string[], execArgv: string[] = []): Promise<Proc> {
  const child = spawn(process.execPath, [...execArgv, file, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(child);
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

/** Starts a non-Node server and waits until its port accepts connections. */
export async function startCommand(cmd: string, args: string[], url: string): Promise<Proc> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  started.push(child);
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

let tick = 0;
function clockTicks(): number {
  if (tick === 0) {
    try {
      tick = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      tick = 100;
    }
  }
  return tick;
}

/** utime + stime of one process (all its threads), in µs, from /proc/<pid>/stat. */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at ") ".
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e6) / clockTicks();
  } catch {
    return 0;
  }
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
