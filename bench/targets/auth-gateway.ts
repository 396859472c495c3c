import pino from 'pino';
import { startGateway } from '../../src/boot/gateway.js';
import { authorizeRouteStage } from '../../src/edge/auth/authorize-stage.js';
import { authenticateStage } from '../../src/edge/auth/stage.js';
import { correlateStage } from '../../src/edge/correlate.js';
import { capsStage } from '../../src/edge/validate/caps-stage.js';
import { parseStage } from '../../src/edge/validate/parse-stage.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { recordStage } from '../../src/telemetry/record.js';
import { callUpstreamStage } from '../../src/upstream/call-stage.js';
import { routeStage } from '../../src/upstream/route-stage.js';
import { flag, ready } from '../lib/child.js';
import { benchGatewayConfig } from './config.js';

/**
 * Gatehouse for the auth benchmark: issue 2's core pipeline, with or without the authenticate and
 * authorize stages (`--auth on|off`). The consumer's key hash and the OIDC issuer come from flags;
 * the downstream identity header is signed (EdDSA, cached per identity) as in production.
 */
const upstream = flag('upstream', 'http://127.0.0.1:8000');
const on = flag('auth', 'on') === 'on';
const core = [correlateStage, parseStage, capsStage, routeStage, callUpstreamStage, recordStage];

const config = benchGatewayConfig(upstream, {
  auth: {
    consumers: [
      {
        name: 'bench',
        apiKeys: [{ id: flag('key-id', 'AAAAAAAAAA'), hash: flag('key-hash', `sha256:${'0'.repeat(64)}`) }],
      },
    ],
    jwt: {
      issuers: [{ issuer: flag('issuer', 'http://127.0.0.1:9'), audience: 'gatehouse' }],
      verifiedCache: { maxEntries: Number(flag('verified-cache', '10000')) },
    },
  },
});
const logger = createLogger('info', pino.destination({ dest: flag('log', '/dev/null'), sync: false }));
const gw = await startGateway(config, {
  logger,
  stages: on ? [...core, authenticateStage, authorizeRouteStage] : core,
});
ready(gw.url);

process.on('SIGTERM', () => {
  void gw.close().finally(() => process.exit(0));
});
