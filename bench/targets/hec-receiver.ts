import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { flag, ready } from '../lib/child.js';

/**
 * A Splunk HEC stand-in for the benchmark: counts the envelopes of each batch (one per line) and
 * acknowledges. `GET /count` answers the running total.
 */
let events = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.end(String(events));
    return;
  }
  req.on('data', (c: Buffer) => {
    for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) events++;
  });
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"text":"Success","code":0}');
  });
});
server.listen(Number(flag('port', '0')), '127.0.0.1', () => {
  ready(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
