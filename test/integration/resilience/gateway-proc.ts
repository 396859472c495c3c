/**
 * A gateway in its own process (the queue test SIGKILLs it): config as JSON in GH_GATEWAY_CONFIG,
 * the data-plane URL printed as one JSON line on stdout, then its log lines (JSON) on stdout too.
 */
import pino from 'pino';
import { startGateway } from '../../../src/boot/gateway.js';
import { parseConfig } from '../../../src/config/load.js';

const config = parseConfig(JSON.parse(process.env.GH_GATEWAY_CONFIG ?? '{}'));
const gw = await startGateway(config, { logger: pino({ level: 'info' }, pino.destination(1)), drainMs: 200 });
process.stdout.write(`${JSON.stringify({ url: gw.url })}\n`);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
