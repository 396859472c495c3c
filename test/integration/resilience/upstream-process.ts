import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./upstream-proc.ts', import.meta.url));

/** A demo upstream process on a fixed free port, killed with SIGKILL and restarted on the same port. */
export class UpstreamProcess {
  private child: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  static async start(): Promise<UpstreamProcess> {
    const srv = createServer();
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const u = new UpstreamProcess(port);
    await u.up();
    return u;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  async up(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
      env: { ...process.env, GH_UPSTREAM_PORT: String(this.port) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      child.stdout?.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`upstream process exited (${code})`)));
    });
  }

  async kill(): Promise<void> {
    const c = this.child;
    if (c === null || c.exitCode !== null || c.signalCode !== null) return;
    this.child = null;
    const exited = once(c, 'exit');
    c.kill('SIGKILL');
    await exited;
  }
}
