/**
 * The demo upstream in its own process (a real model endpoint the test can SIGKILL and restart on
 * the same port). Prints its URL as one JSON line.
 */
import { startDemoUpstream } from '../../../src/demo/upstream.js';

const port = Number(process.env.GH_UPSTREAM_PORT ?? '0');
const up = await startDemoUpstream({ host: '127.0.0.1', port });
process.stdout.write(`${JSON.stringify({ url: up.url })}\n`);
// The parent (the test) going away closes our stdin: leave with it, never linger on the port.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
