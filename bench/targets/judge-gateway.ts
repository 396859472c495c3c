import pino from 'pino';
import { startGateway } from '../../src/boot/gateway.js';
import { correlateStage } from '../../src/edge/correlate.js';
import { capsStage } from '../../src/edge/validate/caps-stage.js';
import { parseStage } from '../../src/edge/validate/parse-stage.js';
import { judgeHandoffStage } from '../../src/judge/handoff-stage.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { recordStage } from '../../src/telemetry/record.js';
import { callUpstreamStage } from '../../src/upstream/call-stage.js';
import { routeStage } from '../../src/upstream/route-stage.js';
import { flag, ready } from '../lib/child.js';
import { benchGatewayConfig } from './config.js';

/**
 * Gatehouse for the Judge benchmark: the core pipeline with the record stage and the Judge's
 * hand-off. `--judge off`: the Judge disabled; `--judge inprocess`: 10 % sampling with the workers
 * in this process (they call `--judge-url`); `--judge handoff`: 10 % sampling, workers elsewhere
 * (`gatehouse judge`), so only the hand-off runs here.
 */
const upstream = flag('upstream', 'http://127.0.0.1:8000');
const mode = flag('judge', 'off');
const rate = Number(flag('rate', '0.1'));
const config = benchGatewayConfig(upstream, {
  limits: { enabled: false },
  judge: {
    enabled: mode !== 'off',
    endpoint: { url: `${flag('judge-url', 'http://127.0.0.1:9')}/v1`, model: 'judge-model-2026-01-01' },
    sampling: { tiers: { 1: { rate }, 2: { rate }, 3: { rate } } },
    workers: { inProcess: mode === 'inprocess' },
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
  judgeHandoffStage,
];
const gw = await startGateway(config, { logger, stages });
ready(gw.url);

process.on('SIGTERM', () => {
  void gw.close().finally(() => process.exit(0));
});
