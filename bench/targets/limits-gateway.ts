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
 * Gatehouse for the limits benchmark: issue 2's core pipeline, with or without the limiter's three
 * stages (`--limits on|off`), on the memory or the Redis store (`--store memory|redis --redis URL`).
 * The plan is far above the load, so every request is admitted: this measures the limiter's cost.
 */
const upstream = flag('upstream', 'http://127.0.0.1:8000');
const on = flag('limits', 'on') === 'on';
const store =
  flag('store', 'memory') === 'redis'
    ? {
        kind: 'redis' as const,
        url: flag('redis', 'redis://127.0.0.1:6379'),
        prefix: flag('prefix', 'ghbench:'),
      }
    : { kind: 'memory' as const };
const core = [correlateStage, parseStage, capsStage, routeStage, callUpstreamStage, recordStage];
const huge = { perMinute: 1e9, burst: 0, sustainMinutes: 5 };

const config = parseConfig({
  server: { host: '127.0.0.1', port: 0, allowPlaintext: true },
  health: { port: 0 },
  metrics: { port: 0 },
  store,
  routes: [
    {
      alias: 'bench',
      endpoints: ['chat', 'completions'],
      upstream: { provider: 'vllm', url: `${upstream}/v1`, model: 'mock-model-2026-01-01' },
    },
  ],
  limits: {
    enabled: on,
    plans: {
      standard: {
        requests: huge,
        inputTokens: huge,
        outputTokens: huge,
        cost: { softPerHour: 1e6, hardPerHour: 1e9 },
        concurrency: 100_000,
      },
    },
    global: { concurrency: 100_000 },
    prices: { 'mock-model-2026-01-01': { inputPerMillion: 2.5, outputPerMillion: 10 } },
  },
});
const logger = createLogger('info', pino.destination({ dest: flag('log', '/dev/null'), sync: false }));
const stages = on ? [...core, admitStage, markUpstreamStage, settleStage] : core;
const gw = await startGateway(config, { logger, stages });
ready(gw.url);

process.on('SIGTERM', () => {
  void gw.close().finally(() => process.exit(0));
});
