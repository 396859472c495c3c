import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./gateway-proc.ts', import.meta.url));

/** A gateway process the test can SIGKILL; `lines` collects its JSON log lines. */
export interface GatewayProc {
  readonly child: ChildProcess;
  readonly url: string;
  readonly lines: Array<Record<string, unknown>>;
}

export async function startGatewayProc(config: unknown): Promise<GatewayProc> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    env: { ...process.env, GH_GATEWAY_CONFIG: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      for (let nl = out.indexOf('\n'); nl !== -1; nl = out.indexOf('\n')) {
        const text = out.slice(0, nl);
        out = out.slice(nl + 1);
        try {
          const line = JSON.parse(text) as Record<string, unknown>;
          if (typeof line.url === 'string' && line.msg === undefined) resolve(line.url);
          else lines.push(line);
        } catch {
          // not a JSON line
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`gateway process exited (${code})`)));
  });
  return { child, url, lines };
}

export async function killGatewayProc(g: GatewayProc, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (g.child.exitCode !== null || g.child.signalCode !== null) return;
  const exited = once(g.child, 'exit');
  g.child.kill(signal);
  await exited;
}
