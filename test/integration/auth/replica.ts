/**
 * A second gateway replica for the revocation tests: its own process running the real gateway (with
 * the auth stages), its own Redis connections, the same auth config (from GH_REPLICA_CONFIG), two
 * routes `chat` and `embed` to a demo upstream. Prints its URL.
 */
import pino from 'pino';
import { startGateway } from '../../../src/boot/gateway.js';
import { STAGES } from '../../../src/boot/stages.js';
import { parseConfig } from '../../../src/config/load.js';
import { startDemoUpstream } from '../../../src/demo/upstream.js';
import { authorizeRouteStage } from '../../../src/edge/auth/authorize-stage.js';
import { authenticateStage } from '../../../src/edge/auth/stage.js';
import { demoRoute } from '../../helpers/gateway.js';

const { auth, redisUrl, prefix } = JSON.parse(process.env.GH_REPLICA_CONFIG ?? '{}') as {
  auth: unknown;
  redisUrl: string;
  prefix: string;
};
const upstream = await startDemoUpstream();
const config = parseConfig({
  server: { host: '127.0.0.1', port: 0, allowPlaintext: true },
  health: { enabled: false, port: 0 },
  metrics: { enabled: false, port: 0 },
  store: { kind: 'redis', url: redisUrl, prefix },
  routes: [demoRoute(upstream.url, { alias: 'chat' }), demoRoute(upstream.url, { alias: 'embed' })],
  auth,
});
const stages = [...STAGES, ...[authenticateStage, authorizeRouteStage].filter((s) => !STAGES.includes(s))];
const gw = await startGateway(config, { logger: pino({ level: 'silent' }), stages, drainMs: 100 });
process.stdout.write(`${gw.url}\n`);
process.on('SIGTERM', () => {
  void gw
    .close()
    .then(() => upstream.close())
    .then(() => process.exit(0));
});
