/**
 * One gateway as its own process, for the bounded-work regression test: a request that blocked the
 * event loop would freeze this process, not the test runner, so the test can still see /health hang
 * (and time out) instead of freezing itself. The demo upstream runs in here too; the default config
 * (guards on, 1 MB body cap, 8,192 input tokens) with a demo consumer. Prints one JSON line:
 * `{ url, healthUrl, key }`.
 */
import pino from 'pino';
import { startGateway } from '../../../src/boot/gateway.js';
import { parseConfig } from '../../../src/config/load.js';
import { startDemoUpstream } from '../../../src/demo/upstream.js';
import { demoApiKey } from '../../../src/edge/auth/demo.js';
import { demoRoute } from '../../helpers/gateway.js';

const upstream = await startDemoUpstream();
const demo = demoApiKey('bounded');
const config = parseConfig({
  server: { host: '127.0.0.1', port: 0, allowPlaintext: true },
  health: { port: 0 },
  metrics: { enabled: false },
  auth: demo.auth,
  routes: [demoRoute(upstream.url)],
});
const gw = await startGateway(config, { logger: pino({ level: 'silent' }), drainMs: 100 });
process.stdout.write(`${JSON.stringify({ url: gw.url, healthUrl: gw.healthUrl, key: demo.key })}\n`);
const stop = async () => {
  await gw.close();
  await upstream.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
