import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEventFactory } from '../src/telemetry/audit/build.js';
import { toLine } from '../src/telemetry/audit/line.js';
import { createSpooledChannel } from '../src/telemetry/sinks/channel.js';
import { splunkHecSink } from '../src/telemetry/sinks/splunk-hec.js';
import { Spool } from '../src/telemetry/spool.js';
import { buildForBench, describeBuild } from './lib/build.js';
import { drive, percentile } from './lib/load.js';
import { killStarted, type Proc, startNode } from './lib/procs.js';

/**
 * Issue 7's benchmark, in one run:
 *  1. the spool alone: events/s appended to disk, and appended + read back + acknowledged;
 *  2. the spool with its sender to a real HTTP receiver (Splunk HEC format, its own process):
 *     events/s from `write()` to acknowledged by the receiver;
 *  3. gateway throughput with no audit sink vs a remote (HEC) sink, interleaved round by round so
 *     machine drift hits both alike, and the number of audit events the receiver got.
 *
 *   node --import tsx bench/telemetry.ts [--events 100000] [--duration 5] [--rounds 3]
 *                                        [--connections 32] [--ref HEAD|worktree]
 */
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);
const BUILD = join(ROOT, '.tmp', 'bench-telemetry-build');
const opt = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
};
const EVENTS = Number(opt('events', '100000'));
const DURATION = Number(opt('duration', '5'));
const ROUNDS = Number(opt('rounds', '3'));
const CONNECTIONS = Number(opt('connections', '32'));
const REF = opt('ref', 'worktree');

const lines: string[] = [];
const say = (s = '') => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} events/s`;

/** A realistic request event (about 1.3 KB), serialised once like the record stage does. */
function sampleLines(n: number): string[] {
  const f = createEventFactory({ version: 'bench', includeText: false, maxTextChars: 1 });
  const base = f.security(
    { action: 'auth.failure', reason: 'GH_ERR_AUTH_INVALID', method: 'api_key' },
    {
      consumer: 'team-search',
      agent: 'indexer-bot',
      session: 'sess-0123456789',
      sourceIp: '10.12.13.14',
      userAgent: 'OpenAI/Python 1.99.0',
      requestId: 'req_0123456789abcdef',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
    },
  );
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const ev = { ...base, event: { ...base.event, id: `${i}-${base.event.id}` } };
    ev.gatehouse = {
      ...base.gatehouse,
      route: { alias: 'bench', requested_alias: 'bench', pinned_model: 'mock-model-2026-01-01', tier: 2 },
      tokens: { input: 812, output: 164, source: 'upstream' },
      cost: { usd: 0.00421 },
      latency_ms: 812.125,
      ttft_ms: 94.5,
      verdicts: [{ phase: 'input', detector: 'injection', type: 'signature', action: 'allow', score: 0.02 }],
    };
    out.push(toLine(ev));
  }
  return out;
}

const tick = () => new Promise((r) => setImmediate(r));

try {
  say('## Telemetry (issue 7)');
  say();
  say(
    `\`node --import tsx bench/telemetry.ts --events ${EVENTS} --duration ${DURATION} --rounds ${ROUNDS} --connections ${CONNECTIONS}\``,
  );
  say();
  say(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; gateway ${describeBuild(ROOT, REF === 'worktree' ? null : REF)}; load average at start ${loadavg()[0]!.toFixed(1)}.`,
  );
  say();
  const sample = sampleLines(EVENTS);
  const avg = Math.round(sample.reduce((a, l) => a + l.length, 0) / sample.length);

  // 0. What the request path itself pays per event: serialising the request event.
  const factory = createEventFactory({ version: 'bench', includeText: false, maxTextChars: 1 });
  const ctx = {
    requestId: 'req_0123456789abcdef',
    trace: {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      parentSpanId: null,
      flags: '01',
    },
    req: { method: 'POST', url: '/v1/chat/completions', headers: {} },
    start: 0,
    startedAt: Date.now(),
    endpoint: 'chat',
    sourceIp: '10.12.13.14',
    userAgent: 'OpenAI/Python 1.99.0',
    identity: {
      consumer: 'team-search',
      agent: 'indexer-bot',
      session: 'sess-0123456789',
      tier: 2,
      method: 'jwt',
    },
    route: {
      alias: 'bench',
      tier: 2,
      config: { upstream: { model: 'mock-model-2026-01-01' } },
      provider: { kind: 'vllm' },
    },
    alias: 'bench',
    body: null,
    stream: false,
    inputTokens: 812,
    maxOutputTokens: 512,
    upstream: { status: 200, json: { id: 'chatcmpl-bench', model: 'bench' }, stream: null },
    usage: { inputTokens: 812, outputTokens: 164 },
    usageSource: 'upstream',
    streamedText: '',
    ttftMs: 94.5,
    status: 200,
    error: null,
    verdicts: [{ phase: 'input', detector: 'injection', type: 'signature', action: 'allow', score: 0.02 }],
    flags: [],
    cost: 0.00421,
    clientAborted: false,
  } as unknown as Parameters<typeof factory.requestLine>[0];
  for (let i = 0; i < 20_000; i++) factory.requestLine(ctx, 812.125);
  let tl = performance.now();
  for (let i = 0; i < EVENTS; i++) factory.requestLine(ctx, 812.125);
  const lineUs = ((performance.now() - tl) / EVENTS) * 1000;
  tl = performance.now();
  for (let i = 0; i < EVENTS; i++) JSON.stringify(factory.request(ctx, 812.125));
  const objUs = ((performance.now() - tl) / EVENTS) * 1000;
  say('### The request path (what the record stage adds per request, on the event loop)');
  say();
  say(
    `Serialising a request event: ${lineUs.toFixed(2)} µs written directly as its JSON line (${objUs.toFixed(2)} µs as an object + JSON.stringify). The line is then pushed on an array and posted to the sink worker every 20 ms.`,
  );
  say();

  // 1. The spool alone.
  const dir = mkdtempSync(join(tmpdir(), 'gh-bench-spool-'));
  const spoolOpts = { maxBytes: 4 * 1024 * 1_048_576, segmentBytes: 8 * 1_048_576, fsync: false };
  let s = Spool.open({ dir: join(dir, 'a'), ...spoolOpts });
  let t = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    s.append(sample[i]!);
    // The channel flushes every 20 ms; at these rates that is every few thousand events.
    if (i % 2_000 === 1_999) s.flush();
  }
  s.flush();
  const appendMs = performance.now() - t;
  t = performance.now();
  let read = 0;
  for (;;) {
    const b = s.read(1_000, 4 * 1_048_576);
    if (b.lines.length === 0) break;
    read += b.lines.length;
    s.ack(b);
  }
  const drainMs = performance.now() - t;
  s.close();
  s = Spool.open({ dir: join(dir, 'b'), ...spoolOpts });
  t = performance.now();
  let consumed = 0;
  for (let i = 0; i < EVENTS; i += 500) {
    for (let j = i; j < Math.min(EVENTS, i + 500); j++) s.append(sample[j]!);
    const b = s.read(1_000, 4 * 1_048_576);
    consumed += b.lines.length;
    s.ack(b);
  }
  for (let b = s.read(1_000, 4 * 1_048_576); b.lines.length > 0; b = s.read(1_000, 4 * 1_048_576)) {
    consumed += b.lines.length;
    s.ack(b);
  }
  const cycleMs = performance.now() - t;
  s.close();

  // 2. Spool + sender to a real HEC receiver process.
  buildForBench(ROOT, BUILD, REF === 'worktree' ? null : REF);
  const hec = await startNode(join(BUILD, 'bench/targets/hec-receiver.js'), []);
  const sink = splunkHecSink(
    {
      kind: 'splunk_hec',
      name: 'bench',
      url: hec.url,
      token: 'bench-token',
      sourcetype: 'gatehouse:audit',
      source: 'gatehouse',
      batchSize: 1_000,
      maxBatchBytes: 4 * 1_048_576,
      flushIntervalMs: 50,
      timeoutMs: 10_000,
      backoffInitialMs: 100,
      backoffMaxMs: 1_000,
    },
    { secret: (r) => r },
  );
  const ch = createSpooledChannel(sink, Spool.open({ dir: join(dir, 'c'), ...spoolOpts }), {
    batchSize: 1_000,
    maxBatchBytes: 4 * 1_048_576,
    flushIntervalMs: 50,
    backoffInitialMs: 100,
    backoffMaxMs: 1_000,
    capacityBytes: spoolOpts.maxBytes,
    deadLetterPath: join(dir, 'c', 'rejected.ndjson'),
  });
  const count = async () => Number(await (await fetch(`${hec.url}/count`)).text());
  t = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    ch.write(sample[i]!);
    if (i % 1_000 === 999) await tick();
  }
  await ch.drain(120_000);
  const remoteMs = performance.now() - t;
  const received = await count();
  await ch.close();
  rmSync(dir, { recursive: true, force: true });

  say(`### The spool (${EVENTS.toLocaleString('en-US')} events of ${avg} bytes; target ≥ 5,000 events/s)`);
  say();
  say('| path | events | time | rate |');
  say('|---|---|---|---|');
  say(`| append + write to disk | ${EVENTS} | ${appendMs.toFixed(0)} ms | ${rate(EVENTS, appendMs)} |`);
  say(
    `| read back + acknowledge (cursor written at most every 200 ms) | ${read} | ${drainMs.toFixed(0)} ms | ${rate(read, drainMs)} |`,
  );
  say(
    `| append, read, acknowledge interleaved | ${consumed} | ${cycleMs.toFixed(0)} ms | ${rate(consumed, cycleMs)} |`,
  );
  say(
    `| write() → spool → HTTP batch → acknowledged by the HEC receiver process | ${received} | ${remoteMs.toFixed(0)} ms | ${rate(received, remoteMs)} |`,
  );
  say();

  // 3. Gateway throughput, no audit sink vs a remote HEC sink.
  const upstream = await startNode(join(BUILD, 'bench/targets/mock-upstream.js'), []);
  const spoolRoot = mkdtempSync(join(tmpdir(), 'gh-bench-gw-spool-'));
  const variants = [
    { name: 'no audit sink', mode: 'off' },
    { name: 'Splunk HEC sink, spool mode `always` (default)', mode: 'on' },
    { name: 'Splunk HEC sink, spool mode `onFailure`', mode: 'on-memory' },
    { name: 'file sink (local, for comparison)', mode: 'file' },
  ];
  const procs: Proc[] = [];
  for (const v of variants)
    procs.push(
      await startNode(join(BUILD, 'bench/targets/telemetry-gateway.js'), [
        '--upstream',
        upstream.url,
        '--spool',
        spoolRoot,
        '--audit',
        v.mode,
        '--hec',
        hec.url,
      ]),
    );
  const body = JSON.stringify({
    model: 'bench',
    messages: [{ role: 'user', content: 'Write one sentence about gateways.' }],
    max_tokens: 64,
  });
  const rps: number[][] = variants.map(() => []);
  const p99: number[][] = variants.map(() => []);
  const cpu: number[][] = variants.map(() => []);
  const rxCpu: number[] = [];
  const loads: number[] = [];
  let served = 0;
  let delivered = 0;
  for (let i = 0; i < variants.length; i++)
    await drive({ url: procs[i]!.url, connections: CONNECTIONS, seconds: 2, body });
  await new Promise((r) => setTimeout(r, 1_500));
  for (let round = 0; round < ROUNDS; round++) {
    loads.push(loadavg()[0]!);
    for (let i = 0; i < variants.length; i++) {
      const remote = variants[i]!.mode.startsWith('on');
      const before = remote ? await count() : 0;
      const c0 = procs[i]!.cpuMicros();
      const h0 = hec.cpuMicros();
      const r = await drive({ url: procs[i]!.url, connections: CONNECTIONS, seconds: DURATION, body });
      const n = r.ok + r.failed;
      // The delivery of this round's events is part of its cost: wait for the receiver to have them.
      if (remote) {
        let got = 0;
        for (let k = 0; k < 100 && got < n; k++) {
          await new Promise((res) => setTimeout(res, 100));
          got = (await count()) - before;
        }
        served += n;
        delivered += got;
        rxCpu.push((hec.cpuMicros() - h0) / n);
      } else await new Promise((res) => setTimeout(res, 1_200));
      rps[i]!.push(r.ok / r.seconds);
      p99[i]!.push(percentile(r.latencies.sort(), 99));
      cpu[i]!.push((procs[i]!.cpuMicros() - c0) / n);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  say(
    `### Gateway, no audit sink vs a remote sink (non-streamed chat, ${CONNECTIONS} connections, median of ${ROUNDS} × ${DURATION} s, interleaved; target: the sink costs ≤ 5 %)`,
  );
  say();
  // Ratios are taken round by round (each variant against the no-sink run just before it), then
  // the median: drift on a shared machine hits a pair far less than the whole run.
  const paired = (xs: number[][], i: number): number => median(xs[i]!.map((x, r) => x / xs[0]![r]!));
  say('| variant | req/s | p99 | gateway CPU per request | req/s vs no sink | CPU vs no sink |');
  say('|---|---|---|---|---|---|');
  for (let i = 0; i < variants.length; i++)
    say(
      `| ${variants[i]!.name} | ${median(rps[i]!).toFixed(0)} | ${median(p99[i]!).toFixed(2)} ms | ${median(cpu[i]!).toFixed(0)} µs | ${
        i === 0 ? '' : `${(paired(rps, i) * 100).toFixed(1)} %`
      } | ${i === 0 ? '' : `+${((paired(cpu, i) - 1) * 100).toFixed(1)} %`} |`,
    );
  say();
  say(
    `1-minute load average during the rounds: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} on ${cpus().length} CPUs.`,
  );
  say();
  say(
    `The HEC receiver process used ${median(rxCpu).toFixed(0)} µs of CPU per event on the same machine (a real SIEM runs elsewhere). ` +
      `Audit events it received for the measured rounds: ${delivered.toLocaleString('en-US')} for ${served.toLocaleString('en-US')} requests served with the sink (every request has its event: ${delivered >= served ? 'yes' : 'NO'}).`,
  );
  for (const p of procs) await p.stop();
  await upstream.stop();
  await hec.stop();
  rmSync(spoolRoot, { recursive: true, force: true });
} finally {
  killStarted();
}
