import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateApiKey, hashApiKey } from '../src/formats/api-key.js';
import { buildForBench, describeBuild } from './lib/build.js';
import { drive } from './lib/load.js';
import { type PacedAnswer, type PacedRow, pacedAnswer, pacedTable, summarisePaced } from './lib/paced.js';
import {
  freePort,
  killStarted,
  type Proc,
  startCli,
  startCommand,
  startNode,
  usePriority,
} from './lib/procs.js';
import { checks, checksTable, pipelineChecks, type Round, type Row, summarise, table } from './lib/report.js';
import { writeNginxConfig } from './targets/nginx.js';

/**
 * Issue 2's benchmark: a mock OpenAI-compatible upstream, then the same closed-loop load through
 * each target, interleaved round by round so machine drift hits them all alike. Every server is its
 * own process so its CPU time per request can be read from /proc.
 *
 *   npm run bench -- [--duration 5] [--warmup 2] [--rounds 3] [--connections 32]
 *                    [--only direct,nginx,undici,gatehouse] [--scenarios json,sse,json-50ms,sse-50ms,paced]
 *                    [--jitter 10] [--stages core|all] [--profile] [--ref GIT_REF] [--baseline GIT_REF]
 *                    [--nice N] [--reuse-build] [--out bench/results/latest.md] [--prompt small|1k]
 *
 * `--paced MS [--paced-answers N]`: also a paced stream (a token every MS ms, N answers per target
 * one at a time, round-robin): time to first token and the delay each token picks up. `--scenarios
 * paced` runs only that (the load scenarios take minutes; the paced stream takes seconds).
 *
 * `gatehouse-core` and `gatehouse-full` (issue 13) start the `gatehouse` command itself with the
 * config files of bench/configs/ (`gatehouse start --config F`), log lines to a file, audit to a
 * file sink, API-key auth: every target gets the same `authorization` header and body. With
 * `--baseline REF` each also runs as `…-base`, built from REF, with the same config.
 */
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);
const BUILD = join(ROOT, '.tmp', 'bench-build');
const TARGETS = [
  'direct',
  'nginx',
  'undici',
  'gatehouse',
  'gatehouse-base',
  'gatehouse-core',
  'gatehouse-full',
  'gatehouse-core-base',
  'gatehouse-full-base',
] as const;
type TargetName = (typeof TARGETS)[number];

interface Scenario {
  readonly name: string;
  readonly stream: boolean;
  readonly delayMs: number;
}
const SCENARIOS: readonly Scenario[] = [
  { name: 'json', stream: false, delayMs: 0 },
  { name: 'sse', stream: true, delayMs: 0 },
  { name: 'json-50ms', stream: false, delayMs: 50 },
  { name: 'sse-50ms', stream: true, delayMs: 50 },
];

/**
 * `small`: issue 2's two short messages. `1k`: issue 13's ~1 KB chat request, ordinary prose with
 * nothing for a detector to find (every detector still scans all of it).
 */
const PROMPTS = {
  small: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'Write one sentence about gateways.' },
  ],
  // Shared with bench/ab-pipeline.ts.
  '1k': JSON.parse(readFileSync(join(HERE, 'configs', 'prompt-1k.json'), 'utf8')) as Array<{
    role: string;
    content: string;
  }>,
} as const;
const promptName = opt('prompt', 'small');
if (promptName !== 'small' && promptName !== '1k') throw new Error('--prompt must be small or 1k');
const messages = PROMPTS[promptName];
const BODIES = {
  json: JSON.stringify({ model: 'bench', messages, max_tokens: 64 }),
  // Every target gets the same stream with usage, so the bytes moved are the same for all.
  sse: JSON.stringify({
    model: 'bench',
    messages,
    max_tokens: 64,
    stream: true,
    stream_options: { include_usage: true },
  }),
};

function opt(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}
const has = (name: string) => process.argv.includes(`--${name}`);

const duration = Number(opt('duration', '5'));
const warmup = Number(opt('warmup', '2'));
const rounds = Number(opt('rounds', '3'));
const connections = Number(opt('connections', '32'));
/** Spread of the upstream delay in the delayed scenarios (uniform, centred), see mock-upstream.ts. */
const jitter = Number(opt('jitter', '10'));
const stages = opt('stages', 'core');
const profile = has('profile');
/** A git ref to compile instead of the working tree. */
const ref = has('ref') ? opt('ref', 'HEAD') : null;
/** A git ref to run beside Gatehouse as `gatehouse-base`, for before/after numbers from one run. */
const baseline = has('baseline') ? opt('baseline', 'HEAD') : null;
const BASE_BUILD = join(ROOT, '.tmp', 'bench-build-base');
const out = resolve(opt('out', join(HERE, 'results', 'latest.md')));
const wanted = new Set(opt('only', 'direct,nginx,undici,gatehouse').split(','));
// With --baseline, each Gatehouse target runs beside the same target built from that ref (paired
// before/after figures from one run: on a shared machine two runs are minutes and loads apart).
if (baseline !== null) {
  if (wanted.has('gatehouse')) wanted.add('gatehouse-base');
  if (wanted.has('gatehouse-core')) wanted.add('gatehouse-core-base');
  if (wanted.has('gatehouse-full')) wanted.add('gatehouse-full-base');
}
const scenarioNames = opt('scenarios', SCENARIOS.map((x) => x.name).join(',')).split(',');
const scenarios = SCENARIOS.filter((s) => scenarioNames.includes(s.name));
// `paced` names the paced stream alone (`--scenarios paced --paced 20`): no load scenario runs.
for (const n of scenarioNames)
  if (n !== 'paced' && !SCENARIOS.some((s) => s.name === n)) throw new Error(`unknown scenario ${n}`);
const pacedRun = has('paced') || scenarioNames.includes('paced');

const hasNginx = () => nginxVersion() !== 'absent';

type Started = { name: TargetName; proc: Proc | null; url: string };

/** One API key for the run: every target gets it (the Gatehouse CLI targets check it). */
const KEY = generateApiKey('ghk_');
const AUTH_HEADERS = { authorization: `Bearer ${KEY.key}` };

/** bench/configs/<name>.yaml with the run's upstream, key and audit file filled in. */
function cliConfig(name: 'core' | 'full', upstream: string, dir: string): string {
  const text = readFileSync(join(HERE, 'configs', `${name}.yaml`), 'utf8')
    .replaceAll('__UPSTREAM__', upstream)
    .replaceAll('__KEY_ID__', KEY.id)
    .replaceAll('__KEY_HASH__', hashApiKey(KEY.key, undefined).replace(/^sha256:/, ''))
    .replaceAll('__AUDIT__', join(dir, 'audit.ndjson'));
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

async function startTargets(upstream: Proc, tmp: string): Promise<Started[]> {
  const list: Started[] = [];
  const up = upstream.url;
  for (const name of TARGETS) {
    if (!wanted.has(name)) continue;
    if (name === 'direct') list.push({ name, proc: null, url: up });
    else if (
      name === 'gatehouse-core' ||
      name === 'gatehouse-full' ||
      name === 'gatehouse-core-base' ||
      name === 'gatehouse-full-base'
    ) {
      const dir = mkdtempSync(join(tmp, `${name}-`));
      const file = cliConfig(name.startsWith('gatehouse-core') ? 'core' : 'full', up, dir);
      const execArgv = profile
        ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, '.tmp', 'bench-profiles', name)}`]
        : [];
      const p = await startCli(
        join(name.endsWith('-base') ? BASE_BUILD : BUILD, 'bench', 'targets', 'cli.js'),
        ['start', '--config', file],
        join(dir, 'gatehouse.log'),
        execArgv,
      );
      list.push({ name, proc: p, url: p.url });
    } else if (name === 'nginx') {
      if (!hasNginx()) {
        process.stderr.write('nginx not installed: skipped\n');
        continue;
      }
      const port = await freePort();
      const dir = mkdtempSync(join(tmp, 'nginx-'));
      const conf = writeNginxConfig(dir, port, new URL(up));
      const url = `http://127.0.0.1:${port}`;
      list.push({ name, proc: await startCommand('nginx', ['-p', dir, '-c', conf], url), url });
    } else if (name === 'undici') {
      const p = await startNode(
        join(BUILD, 'bench', 'targets', 'undici-proxy.js'),
        ['--upstream', up],
        profile ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, '.tmp', 'bench-profiles', name)}`] : [],
      );
      list.push({ name, proc: p, url: p.url });
    } else {
      const build = name === 'gatehouse' ? BUILD : BASE_BUILD;
      const execArgv =
        profile && name === 'gatehouse'
          ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, '.tmp', 'bench-profiles')}`]
          : [];
      const p = await startNode(
        join(build, 'bench', 'targets', 'gatehouse.js'),
        ['--upstream', up, '--stages', stages],
        execArgv,
      );
      list.push({ name, proc: p, url: p.url });
    }
  }
  return list;
}

async function measure(t: Started, upstream: Proc, body: string, seconds: number): Promise<Round> {
  const cpu0 = t.proc?.cpuMicros() ?? 0;
  const up0 = upstream.cpuMicros();
  const t0 = performance.now();
  const r = await drive({ url: t.url, connections, seconds, body, headers: AUTH_HEADERS });
  const wall = (performance.now() - t0) / 1000;
  return {
    ok: r.ok,
    failed: r.failed,
    seconds: wall,
    proxyCpuUs: (t.proc?.cpuMicros() ?? 0) - cpu0,
    upstreamCpuUs: upstream.cpuMicros() - up0,
    latencies: r.latencies,
  };
}

async function main(): Promise<void> {
  if (has('nice')) usePriority(Number(opt('nice', '0')));
  // --reuse-build runs what the previous run compiled (e.g. after editing a built file to try an idea).
  if (!has('reuse-build')) {
    buildForBench(ROOT, BUILD, ref);
    if (baseline !== null) buildForBench(ROOT, BASE_BUILD, baseline);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const loadBefore = loadavg();
  const rows: Row[] = [];
  const perRound: Record<string, Record<string, number[]>> = {};
  for (const delay of [...new Set(scenarios.map((s) => s.delayMs))]) {
    const upstream = await startNode(join(BUILD, 'bench', 'targets', 'mock-upstream.js'), [
      '--delay',
      String(delay),
      '--jitter',
      String(delay > 0 ? jitter : 0),
    ]);
    const targets = await startTargets(upstream, tmp);
    try {
      for (const sc of scenarios.filter((s) => s.delayMs === delay)) {
        const body = sc.stream ? BODIES.sse : BODIES.json;
        for (const t of targets) await measure(t, upstream, body, warmup);
        const results = new Map<TargetName, Round[]>(targets.map((t) => [t.name, []]));
        for (let r = 0; r < rounds; r++) {
          // Rotate the order each round so no target always runs first (or right after another).
          for (let i = 0; i < targets.length; i++) {
            const t = targets[(i + r) % targets.length]!;
            const m = await measure(t, upstream, body, duration);
            results.get(t.name)!.push(m);
            process.stderr.write(
              `${sc.name} round ${r + 1}/${rounds} ${t.name}: ${Math.round(m.ok / m.seconds)} rps\n`,
            );
          }
        }
        for (const t of targets) {
          const rs = results.get(t.name)!;
          rows.push(summarise(sc.name, t.name, rs, t.proc !== null));
          (perRound[sc.name] ??= {})[t.name] = rs.map((x) => Math.round(x.ok / x.seconds));
        }
      }
    } finally {
      for (const t of targets) await t.proc?.stop();
      await upstream.stop();
    }
  }
  const paced = pacedRun ? await runPaced(tmp, Number(opt('paced', '20'))) : null;
  const md = render(rows, loadBefore, loadavg(), perRound, paced);
  process.stdout.write(`\n${md}\n`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, md);
  writeFileSync(out.replace(/\.md$/, '.json'), JSON.stringify({ rows, perRound }, null, 2));
  process.stderr.write(`written ${out}\n`);
}

/**
 * The paced stream: a model that sends a token every `paceMs`. One answer at a time per target (no
 * load: this is about when each token reaches the client, not throughput), targets interleaved.
 */
async function runPaced(tmp: string, paceMs: number): Promise<{ rows: PacedRow[]; paceMs: number }> {
  const answers = Number(opt('paced-answers', '20'));
  const upstream = await startNode(join(BUILD, 'bench', 'targets', 'mock-upstream.js'), [
    '--pace',
    String(paceMs),
  ]);
  const targets = await startTargets(upstream, tmp);
  try {
    const got = new Map<string, PacedAnswer[]>(targets.map((t) => [t.name, []]));
    for (const t of targets) await pacedAnswer(t.url, BODIES.sse, AUTH_HEADERS);
    for (let i = 0; i < answers; i++)
      for (const t of targets) got.get(t.name)?.push(await pacedAnswer(t.url, BODIES.sse, AUTH_HEADERS));
    const direct = got.get('direct') ?? null;
    return { rows: targets.map((t) => summarisePaced(t.name, got.get(t.name) ?? [], direct)), paceMs };
  } finally {
    for (const t of targets) await t.proc?.stop();
    await upstream.stop();
  }
}

function render(
  rows: Row[],
  before: number[],
  after: number[],
  perRound: Record<string, Record<string, number[]>>,
  paced: { rows: PacedRow[]; paceMs: number } | null,
): string {
  const cmd = `npm run bench --${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
  const cpu = cpus();
  const rr = Object.entries(perRound)
    .map(
      ([s, ts]) =>
        `- ${s}: ${Object.entries(ts)
          .map(([t, v]) => `${t} ${v.join(' / ')}`)
          .join('; ')}`,
    )
    .join('\n');
  return [
    `# Core proxy benchmark — ${new Date().toISOString()}`,
    '',
    `Code: ${describeBuild(ROOT, ref)}${baseline === null ? '' : ` (the …-base targets: ${describeBuild(ROOT, baseline)})`}. Command: \`${cmd}\` (duration ${duration}s × ${rounds} rounds per target and scenario, ${warmup}s warm-up, ${connections} connections, upstream delay jitter ${jitter} ms, Gatehouse stages: ${stages}${profile ? ', under --cpu-prof' : ''}${has('nice') ? `, every process at nice ${opt('nice', '0')}` : ''})`,
    '',
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, Node ${process.version}, load average before ${before.map((x) => x.toFixed(2)).join(' ')}, after ${after.map((x) => x.toFixed(2)).join(' ')}; nginx ${nginxVersion()}`,
    '',
    table(rows),
    '',
    'Targets (issue 2), measured in this run:',
    '',
    checksTable(checks(rows)),
    '',
    'Targets (issue 13), measured in this run:',
    '',
    checksTable(pipelineChecks(rows)),
    '',
    ...(paced === null
      ? []
      : [
          `Paced stream (a token every ${paced.paceMs} ms, the first one ${paced.paceMs} ms after the headers; one answer at a time):`,
          '',
          pacedTable(paced.rows, paced.paceMs),
          '',
        ]),
    'RPS of each round (drift and noise from other processes on the machine):',
    '',
    rr,
    '',
  ].join('\n');
}

function nginxVersion(): string {
  // nginx prints its version on stderr.
  const r = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  return r.error ? 'absent' : r.stderr.trim().replace('nginx version: ', '');
}

for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    killStarted();
    process.exit(130);
  });
main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  killStarted();
  process.exit(1);
});
