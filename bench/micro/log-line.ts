import pino from 'pino';
import { batchedDestination, createLogger, eventLogger, flatLineWriter } from '../../src/telemetry/logger.js';

/**
 * CPU cost of the per-request log line, in µs per line, written asynchronously to /dev/null:
 * the production logger (every redact path, wildcards included) against the flat-event child the
 * record stage uses, which keeps only the top-level paths (the only ones a flat object can match).
 *
 *   node --import tsx bench/micro/log-line.ts [lines]
 */
const N = Number(process.argv[2] ?? 200_000);

function event(i: number) {
  return {
    event: 'request',
    request_id: `req_${i.toString(16).padStart(24, '0')}`,
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    span_id: '00f067aa0ba902b7',
    endpoint: 'chat',
    route: 'bench',
    alias: 'bench',
    pinned_model: 'mock-model-2026-01-01',
    tier: 1,
    consumer: null,
    agent: null,
    session: null,
    auth_method: null,
    status: 200,
    error_code: null,
    stream: false,
    latency_ms: 1.234,
    ttft_ms: 1.2,
    input_tokens: 25,
    output_tokens: 16,
    usage_source: 'upstream',
    cost: 0,
    client_address: '127.0.0.1',
    user_agent: 'autocannon',
  };
}

async function run(name: string, log: pino.Logger): Promise<void> {
  for (let i = 0; i < 20_000; i++) log.info(event(i), 'request');
  await new Promise((r) => setTimeout(r, 100));
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) log.info(event(i), 'request');
  await new Promise<void>((r) => log.flush(() => r()));
  const c = process.cpuUsage(c0);
  process.stdout.write(`${name.padEnd(44)} ${((c.user + c.system) / N).toFixed(2)} µs/line\n`);
}

/** The destination before issue 13's buffer mode: sonic-boom batching strings. */
const stringBatch = () => pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 });
/** What createLogger uses now (src/telemetry/logger.ts), on /dev/null instead of stdout. */
const byteBatch = () => batchedDestination('/dev/null');
const fast = (log: pino.Logger) => {
  const line = flatLineWriter(log, 'request');
  return {
    info: (o: ReturnType<typeof event>) => line(o),
    flush: (cb: () => void) => log.flush(cb),
  } as unknown as pino.Logger;
};
await run('production logger (all redact paths)', createLogger('info', stringBatch()));
await run('eventLogger, string batch', eventLogger(createLogger('info', stringBatch())));
// What the record stage uses: the same bytes as eventLogger, without pino's generic serialiser.
await run('flatLineWriter, string batch', fast(createLogger('info', stringBatch())));
await run('flatLineWriter, byte batch (production)', fast(createLogger('info', byteBatch())));
