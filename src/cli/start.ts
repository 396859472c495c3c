import { type Gateway, startGateway } from '../boot/gateway.js';
import { loadConfigFile, parseConfig } from '../config/load.js';
import type { GatehouseConfig } from '../config/schema/index.js';
import { DEMO_MODEL_ID, type DemoUpstream, startDemoUpstream } from '../demo/upstream.js';
import { demoApiKey } from '../edge/auth/demo.js';
import { flagString, parseArgs } from './args.js';

/**
 * `gatehouse start [--config FILE]`. Without a config it runs the embedded defaults: plain HTTP on
 * 127.0.0.1:8080 in front of the built-in demo model, in-memory state, and prints a curl to try.
 */
export async function runStartCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const file = flagString(args, 'config') ?? process.env.GATEHOUSE_CONFIG;
  let demo: DemoUpstream | null = null;
  let demoKey: string | null = null;
  let config: Readonly<GatehouseConfig>;
  if (file) config = loadConfigFile(file);
  else {
    demo = await startDemoUpstream();
    const d = demoConfig(demo.url, Number(flagString(args, 'port') ?? 8080));
    config = d.config;
    demoKey = d.key;
  }
  let gw: Gateway;
  try {
    gw = await startGateway(config);
  } catch (err) {
    await demo?.close();
    // startGateway closes what it opened; should any handle still hold the loop, the error is
    // printed by the caller and the process exits non-zero anyway.
    exitSoon(1);
    throw err;
  }
  const lines = [`gatehouse listening on ${gw.url}`];
  if (gw.healthUrl) lines.push(`health:  ${gw.healthUrl}/health`);
  if (gw.metricsUrl) lines.push(`metrics: ${gw.metricsUrl}/metrics`);
  if (gw.adminUrl) lines.push(`admin:   ${gw.adminUrl}/admin/`);
  if (demo) {
    lines.push(
      '',
      'Embedded defaults: built-in demo model, in-memory state, one consumer "demo".',
      'Its API key, generated for this run and shown once (only its hash is kept):',
      '',
      `  ${demoKey}`,
      '',
      'Try:',
      '',
      `curl -s ${gw.url}/v1/chat/completions -H 'content-type: application/json' \\`,
      `  -H 'authorization: Bearer ${demoKey}' \\`,
      `  -d '{"model":"demo","messages":[{"role":"user","content":"Hello, Gatehouse"}]}'`,
    );
  }
  // The handlers are in place before the line that tells a supervisor (or a test) we are up.
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    let seen = false;
    const onSignal = (sig: NodeJS.Signals) => {
      // A second signal during the drain is the operator insisting: stop now. Events already
      // handed to the spool are on disk; requests still running are not recorded.
      if (seen) {
        process.stderr.write(`gatehouse: ${sig} again, exiting without draining\n`);
        process.exit(1);
      }
      seen = true;
      resolve(sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  process.stderr.write(`${lines.join('\n')}\n`);
  const signal = await signalled;
  process.stderr.write(`gatehouse: ${signal}, draining (up to ${config.server.drainTimeoutMs} ms)\n`);
  await gw.close();
  await demo?.close();
  process.stderr.write('gatehouse: stopped\n');
  exitSoon(0);
  return 0;
}

/**
 * Every listener, connection and sink is closed by now, so the loop should empty on its own; a
 * handle that does not (a library timer, a socket we did not open) must not keep a stopped
 * gateway alive. Unref'd: it only fires if something else still holds the process.
 */
function exitSoon(code: number): void {
  setTimeout(() => process.exit(code), 1_000).unref();
}

/** The embedded defaults: authentication stays on, with a fresh API key for one demo consumer. */
export function demoConfig(
  upstreamUrl: string,
  port = 8080,
): { config: Readonly<GatehouseConfig>; key: string } {
  const { key, auth } = demoApiKey();
  const config = parseConfig({
    server: { host: '127.0.0.1', port, allowPlaintext: true },
    auth,
    // An illustrative price so the demo shows cost accounting on its audit events.
    limits: { prices: { [DEMO_MODEL_ID]: { inputPerMillion: 0.5, outputPerMillion: 1.5 } } },
    routes: [
      {
        alias: 'demo',
        endpoints: ['chat', 'completions', 'embeddings'],
        upstream: { provider: 'openai', url: upstreamUrl, model: DEMO_MODEL_ID },
        caps: { maxInputTokens: 4096, maxOutputTokens: 512 },
      },
    ],
  });
  return { config, key };
}
