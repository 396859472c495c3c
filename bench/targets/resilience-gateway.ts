import pino from 'pino';
import { startGateway } from '../../src/boot/gateway.js';
import { correlateStage } from '../../src/edge/correlate.js';
import { capsStage } from '../../src/edge/validate/caps-stage.js';
import { parseStage } from '../../src/edge/validate/parse-stage.js';
import type { StageDef } from '../../src/pipeline/registry.js';
import { killSwitchAllStage, killSwitchStage } from '../../src/resilience/killswitch/stage.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { recordStage } from '../../src/telemetry/record.js';
import { callUpstreamStage } from '../../src/upstream/call-stage.js';
import { routeStage } from '../../src/upstream/route-stage.js';
import { flag, ready } from '../lib/child.js';
import { benchGatewayConfig } from './config.js';

/**
 * Issue 2's core pipeline with the resilience feature off (`--resilience off`: one upstream attempt,
 * no kill switch) or on (kill-switch stages, the upstream policy with retries, breakers and PACE
 * around the call; nothing failing). `--redis URL --prefix P` shares the kill switch across replicas.
 */
const upstream = flag('upstream', 'http://127.0.0.1:8000');
const on = flag('resilience', 'on') === 'on';
const redis = flag('redis', '');
const core: StageDef[] = [correlateStage, parseStage, capsStage, routeStage, callUpstreamStage, recordStage];
const stages = on ? [...core, killSwitchAllStage, killSwitchStage] : core;
const config = benchGatewayConfig(upstream, {
  resilience: { enabled: on, killSwitch: { pollMs: 250 } },
  ...(redis === '' ? {} : { store: { kind: 'redis', url: redis, prefix: flag('prefix', 'ghbench:') } }),
});
const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: false }));
const gw = await startGateway(config, { logger, stages });
ready(gw.url);
process.on('SIGTERM', () => {
  void gw.close().finally(() => process.exit(0));
});
