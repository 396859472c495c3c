import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const REPLICA = fileURLToPath(new URL('./replica.ts', import.meta.url));

/** A gateway replica in its own process (replica.ts); `lines` collects what it prints after its URL. */
export interface ReplicaProc {
  readonly child: ChildProcess;
  readonly url: string;
  readonly lines: Array<Record<string, unknown>>;
}

export async function startReplica(config: unknown, env: Record<string, string> = {}): Promise<ReplicaProc> {
  const child = spawn(process.execPath, ['--import', 'tsx', REPLICA], {
    env: { ...process.env, ...env, GH_REPLICA_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      for (let nl = out.indexOf('\n'); nl !== -1; nl = out.indexOf('\n')) {
        const line = JSON.parse(out.slice(0, nl)) as Record<string, unknown>;
        out = out.slice(nl + 1);
        if (typeof line.url === 'string') resolve(line.url);
        else lines.push(line);
      }
    });
    child.once('exit', (code) => reject(new Error(`replica exited with ${code}`)));
  });
  return { child, url, lines };
}

export async function stopReplica(r: ReplicaProc, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  const exited = once(r.child, 'exit');
  r.child.kill(signal);
  await exited;
}
