import { writeFileSync } from 'node:fs';
import pino from 'pino';
import { startEgress } from '../boot/egress.js';
import { loadConfigFile } from '../config/load.js';
import type { GatehouseConfig } from '../config/schema/index.js';
import { resolveSecret } from '../config/secrets.js';
import { probesToJUnit, probesToTable, runProbes } from '../egress/probe.js';
import { createLogger } from '../telemetry/logger.js';
import { flagString, parseArgs } from './args.js';

const USAGE =
  'usage: gatehouse egress --config FILE | gatehouse egress test --config FILE [--proxy URL] [--format table|json|junit] [--out FILE]\n';

// Reports go to stdout; the proxy's own log lines go to stderr so the two never mix.
const bootEgress = (config: Readonly<GatehouseConfig>) =>
  startEgress(config, { logger: createLogger('warn', pino.destination({ dest: 2, sync: true })) });

async function runTest(file: string, argv: ReturnType<typeof parseArgs>): Promise<number> {
  const config = loadConfigFile(file);
  const format = flagString(argv, 'format') ?? 'table';
  if (!['table', 'json', 'junit'].includes(format)) {
    process.stderr.write(USAGE);
    return 2;
  }
  let proxyUrl = flagString(argv, 'proxy');
  let booted: Awaited<ReturnType<typeof bootEgress>> | null = null;
  if (proxyUrl === undefined) {
    // No running proxy named: test this config's own proxy, on an ephemeral port.
    booted = await bootEgress({ ...config, egress: { ...config.egress, port: 0 } });
    proxyUrl = `http://127.0.0.1:${booted.address.port}`;
  }
  try {
    const results = await runProbes(config.egress, proxyUrl, (ref) => resolveSecret(ref));
    const text =
      format === 'json'
        ? `${JSON.stringify({ passed: results.every((r) => r.pass), results }, null, 2)}\n`
        : format === 'junit'
          ? probesToJUnit(results)
          : probesToTable(results);
    const out = flagString(argv, 'out');
    if (out) writeFileSync(out, text);
    else process.stdout.write(text);
    if (results.length === 0)
      process.stderr.write('gatehouse egress test: no probes configured (egress.probes)\n');
    return results.length > 0 && results.every((r) => r.pass) ? 0 : 1;
  } finally {
    await booted?.close();
  }
}

/** `gatehouse egress` (run the proxy) and `gatehouse egress test` (the network-policy check). */
export async function runEgressCommand(argvIn: string[]): Promise<number> {
  const test = argvIn[0] === 'test';
  const argv = parseArgs(test ? argvIn.slice(1) : argvIn);
  const file = flagString(argv, 'config') ?? process.env.GATEHOUSE_CONFIG;
  if (!file) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (test) return runTest(file, argv);
  const { address, close } = await bootEgress(loadConfigFile(file));
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    process.stderr.write(`gatehouse egress proxy listening on ${address.address}:${address.port}\n`);
  });
  process.stderr.write(`gatehouse egress: ${signal}, stopping\n`);
  await close();
  return 0;
}
