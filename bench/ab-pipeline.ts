import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { Pool } from 'undici';
import { generateApiKey, hashApiKey } from '../src/formats/api-key.js';
import { buildForBench } from './lib/build.js';

/**
 * Issue 13's before/after on a shared machine: the working tree and a git ref, both started in ONE
 * process from bench/configs/<core|full>.yaml (`startGateway`, as the CLI does), driven in short
 * interleaved blocks (16 concurrent requests, the 1 KB chat body), CPU time of the process per
 * request for each block. Both gateways and the client share the process, so the figure includes
 * the client (the same for both); what matters is the difference. Interleaving blocks of a few
 * hundred milliseconds cancels most of the drift that separate processes minutes apart pick up.
 *
 *   node --import tsx bench/ab-pipeline.ts [core|full] [BASE_REF] [blocks] [json|sse]
 *
 * `sse`: streamed answers (the mock's 16 tokens, one write each, with usage) instead of JSON ones.
 */
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);
const which = process.argv[2] === 'core' ? 'core' : 'full';
const baseRef = process.argv[3] ?? 'HEAD';
const blocks = Number(process.argv[4] ?? 16);
const stream = process.argv[5] === 'sse';
const BUILDS = { new: join(ROOT, '.tmp', 'ab-build'), base: join(ROOT, '.tmp', 'ab-build-base') } as const;
buildForBench(ROOT, BUILDS.new, null);
buildForBench(ROOT, BUILDS.base, baseRef);

type StartGateway = (config: unknown, opts: unknown) => Promise<{ url: string; close(): Promise<void> }>;
type ParseConfigText = (text: string) => unknown;

function startUpstream(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [join(BUILDS.new, 'bench', 'targets', 'mock-upstream.js'), '--delay', '0', '--jitter', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve) =>
    child.stdout?.on('data', (d: Buffer) => {
      const m = /READY (\S+)/.exec(String(d));
      if (m?.[1] !== undefined) resolve({ child, url: m[1] });
    }),
  );
}

const up = await startUpstream();
const KEY = generateApiKey('ghk_');
const gateways: Record<string, { close(): Promise<void>; pool: Pool }> = {};
for (const [name, dir] of Object.entries(BUILDS)) {
  const { parseConfigText } = (await import(join(dir, 'src', 'config', 'load.js'))) as {
    parseConfigText: ParseConfigText;
  };
  const { startGateway } = (await import(join(dir, 'src', 'boot', 'gateway.js'))) as {
    startGateway: StartGateway;
  };
  const text = readFileSync(join(HERE, 'configs', `${which}.yaml`), 'utf8')
    .replaceAll('__UPSTREAM__', up.url)
    .replaceAll('__KEY_ID__', KEY.id)
    .replaceAll('__KEY_HASH__', hashApiKey(KEY.key, undefined).replace(/^sha256:/, ''))
    .replaceAll('__AUDIT__', join(ROOT, '.tmp', `ab-${name}-audit.ndjson`));
  // Each build's own production logger (its timestamp, redaction and batching), as `gatehouse start`
  // makes it, writing to /dev/null instead of stdout.
  const { createLogger } = (await import(join(dir, 'src', 'telemetry', 'logger.js'))) as {
    createLogger: (level: string, dest: pino.DestinationStream) => pino.Logger;
  };
  const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 }));
  const gw = await startGateway(parseConfigText(text), { logger });
  gateways[name] = { close: () => gw.close(), pool: new Pool(gw.url, { connections: 16 }) };
}

const PROMPT = JSON.parse(readFileSync(join(HERE, 'configs', 'prompt-1k.json'), 'utf8')) as unknown;
const body = JSON.stringify(
  stream
    ? {
        model: 'bench',
        messages: PROMPT,
        max_tokens: 64,
        stream: true,
        stream_options: { include_usage: true },
      }
    : { model: 'bench', messages: PROMPT, max_tokens: 64 },
);

async function block(name: string, n: number): Promise<number> {
  const pool = gateways[name]?.pool;
  if (pool === undefined) throw new Error(name);
  let i = 0;
  const worker = async (): Promise<void> => {
    while (i++ < n) {
      const r = await pool.request({
        path: '/v1/chat/completions',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY.key}` },
        body,
      });
      await r.body.text();
      if (r.statusCode !== 200) throw new Error(`${name}: status ${r.statusCode}`);
    }
  };
  const c0 = process.cpuUsage();
  await Promise.all(Array.from({ length: 16 }, worker));
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

for (let w = 0; w < 4; w++) for (const k of ['new', 'base']) await block(k, 300);
const res: Record<string, number[]> = { new: [], base: [] };
for (let r = 0; r < blocks; r++)
  for (const k of r % 2 === 1 ? ['new', 'base'] : ['base', 'new']) res[k]?.push(await block(k, 400));
const med = (a: readonly number[]) => [...a].sort((x, y) => x - y)[a.length >> 1] ?? Number.NaN;
// Per round, the two builds ran back to back: the median of their ratios cancels drift between rounds.
const ratios = (res.new ?? []).map((x, i) => x / (res.base?.[i] ?? Number.NaN));
const show = (k: string) => (res[k] ?? []).map((x) => x.toFixed(0)).join(' ');
process.stdout.write(
  `${which}${stream ? ' sse' : ''}: CPU µs per request (gateway + client, one process), median of ${blocks} blocks: ` +
    `working tree ${med(res.new ?? []).toFixed(0)}, ${baseRef} ${med(res.base ?? []).toFixed(0)}\n` +
    `  working tree / ${baseRef}, median of the per-round ratios: ${med(ratios).toFixed(3)}\n` +
    `  working tree: ${show('new')}\n  ${baseRef}: ${show('base')}\n`,
);
for (const g of Object.values(gateways)) {
  await g.pool.close();
  await g.close();
}
up.child.kill();
process.exit(0);
