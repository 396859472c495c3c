import pino from 'pino';
import { startGateway } from '../../src/boot/gateway.js';
import { STAGES } from '../../src/boot/stages.js';
import { correlateStage } from '../../src/edge/correlate.js';
import { capsStage } from '../../src/edge/validate/caps-stage.js';
import { parseStage } from '../../src/edge/validate/parse-stage.js';
import type { StageDef } from '../../src/pipeline/registry.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { recordStage } from '../../src/telemetry/record.js';
import { callUpstreamStage } from '../../src/upstream/call-stage.js';
import { routeStage } from '../../src/upstream/route-stage.js';
import { flag, ready } from '../lib/child.js';
import { benchGatewayConfig } from './config.js';

/**
 * Gatehouse as production runs it: the real startGateway, plain HTTP on loopback, health and
 * metrics listeners on, one info-level log line per request written asynchronously (to /dev/null
 * unless --log FILE). `--stages core` is issue 2's pipeline; `--stages all` is today's STAGES.
 */
const STAGE_SETS: Readonly<Record<string, readonly StageDef[]>> = {
  core: [correlateStage, parseStage, capsStage, routeStage, callUpstreamStage, recordStage],
  all: STAGES,
};

const upstream = flag('upstream', 'http://127.0.0.1:8000');
const stages = STAGE_SETS[flag('stages', 'core')];
if (stages === undefined) throw new Error('--stages must be core or all');

const config = benchGatewayConfig(upstream);
const logger = createLogger('info', pino.destination({ dest: flag('log', '/dev/null'), sync: false }));
const gw = await startGateway(config, { logger, stages });
ready(gw.url);

process.on('SIGTERM', () => {
  // A clean exit lets --cpu-prof write its profile.
  void gw.close().finally(() => process.exit(0));
});
