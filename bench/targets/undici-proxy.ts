import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { Pool } from 'undici';
import { flag, ready } from '../lib/child.js';

/**
 * The baseline: a bare pass-through reverse proxy, node:http in front of an undici keep-alive Pool.
 * No validation, no logging; it is the floor a Node.js proxy cannot go under.
 */
const upstream = new URL(flag('upstream', 'http://127.0.0.1:8000'));
const pool = new Pool(upstream.origin, { connections: 128, pipelining: 1, keepAliveTimeout: 30_000 });
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

function strip(h: IncomingHttpHeaders | Record<string, string | string[] | undefined>) {
  const out: Record<string, string | string[]> = {};
  for (const k in h) {
    const v = h[k];
    if (v !== undefined && !HOP.has(k)) out[k] = v;
  }
  return out;
}

const server = createServer((req, res) => {
  pool.request({ path: req.url!, method: req.method as 'POST', headers: strip(req.headers), body: req }).then(
    (up) => {
      res.writeHead(up.statusCode, strip(up.headers));
      pipeline(up.body, res, () => {});
    },
    () => {
      res.statusCode = 502;
      res.end();
    },
  );
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => ready(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.close().finally(() => process.exit(0));
});
