import pino from 'pino';
import { startGateway } from '../../src/boot/gateway.js';
import { parseConfig } from '../../src/config/load.js';
import { correlateStage } from '../../src/edge/correlate.js';
import { admitStage } from '../../src/edge/limits/admit-stage.js';
import { markUpstreamStage } from '../../src/edge/limits/mark-stage.js';
import { settleStage } from '../../src/edge/limits/settle-stage.js';
import { capsStage } from '../../src/edge/validate/caps-stage.js';
import { parseStage } from '../../src/edge/validate/parse-stage.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { recordStage } from '../../src/telemetry/record.js';
import { callUpstreamStage } from '../../src/upstream/call-stage.js';
import { routeStage } from '../../src/upstream/route-stage.js';
import { flag, ready } from '../lib/child.js';

/**
 * One of three replicas for bench/over-admission.ts: the core pipeline and the limiter on Redis,
 * a tier-1 route (store-down posture `local`), `--rpm` requests per minute for every consumer
 * (all requests are the `anonymous` consumer), the default 500 ms command timeout. SIGUSR2 blocks
 * the event loop for `--stall` ms (a CPU-heavy co-tenant), then prints `STALLED <ms>`.
 */
const huge = { perMinute: 1e9, burst: 0, sustainMinutes: 5 };
const config = parseConfig({
  server: { host: '127.0.0.1', port: 0, allowPlaintext: true },
  health: { enabled: false },
  metrics: { enabled: false },
  store: {
    kind: 'redis',
    url: flag('redis', 'redis://127.0.0.1:6379'),
    prefix: flag('prefix', 'ghbench:oa:'),
  },
  routes: [
    {
      alias: 'bench',
      endpoints: ['chat', 'completions'],
      upstream: {
        provider: 'vllm',
        url: `${flag('upstream', 'http://127.0.0.1:8000')}/v1`,
        model: 'mock-model-2026-01-01',
      },
    },
  ],
  limits: {
    replicas: 3,
    plans: {
      standard: {
        requests: { perMinute: Number(flag('rpm', '100')), burst: 0, sustainMinutes: 5 },
        inputTokens: huge,
        outputTokens: huge,
        cost: { softPerHour: 1e6, hardPerHour: 1e9 },
        concurrency: 100_000,
      },
    },
    global: { concurrency: 100_000 },
  },
});
const logger = createLogger('info', pino.destination({ dest: flag('log', '/dev/null'), sync: false }));
const stages = [
  correlateStage,
  parseStage,
  capsStage,
  routeStage,
  callUpstreamStage,
  recordStage,
  admitStage,
  markUpstreamStage,
  settleStage,
];
const gw = await startGateway(config, { logger, stages });
ready(gw.url);

const stallMs = Number(flag('stall', '1000'));
process.on('SIGUSR2', () => {
  const end = Date.now() + stallMs;
  while (Date.now() < end) {
    // busy: the co-tenant
  }
  process.stdout.write(`STALLED ${stallMs}\n`);
});
process.on('SIGTERM', () => {
  void gw.close().finally(() => process.exit(0));
});
