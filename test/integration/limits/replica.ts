/**
 * One gateway replica as its own process (for the multi-replica test): the config arrives as JSON
 * in GH_REPLICA_CONFIG; the data-plane URL is printed as one JSON line on stdout; logs go to stderr.
 */
import pino from 'pino';
import { startGateway } from '../../../src/boot/gateway.js';
import { parseConfig } from '../../../src/config/load.js';
import { stagesWithHeaderIdentity } from './identity-stage.js';

const config = parseConfig(JSON.parse(process.env.GH_REPLICA_CONFIG ?? '{}'));
const gw = await startGateway(config, {
  logger: pino({ level: config.log.level }, pino.destination(2)),
  stages: stagesWithHeaderIdentity(),
  drainMs: 200,
});
process.stdout.write(`${JSON.stringify({ url: gw.url })}\n`);
const stop = async () => {
  await gw.close();
  process.exit(0);
};
// A CPU-heavy co-tenant on demand: SIGUSR2 blocks the event loop for GH_REPLICA_STALL_MS (the
// stall test), then reports it on stdout so the test knows the stall happened.
process.on('SIGUSR2', () => {
  const ms = Number(process.env.GH_REPLICA_STALL_MS ?? 1_000);
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy
  }
  process.stdout.write(`${JSON.stringify({ stalled: ms })}\n`);
});
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
