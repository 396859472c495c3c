import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatehouseError } from '../../../src/errors/gatehouse-error.js';
import { mapUpstreamError } from '../../../src/upstream/errors.js';
import { readBounded } from '../../../src/upstream/read-bounded.js';

// A real server and a real undici pool: the reader is fed undici bodies in production.
let server: Server;
let pool: Pool;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/small') return res.end('{"ok":true}');
    if (req.url === '/chunks') {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 8; i++) res.write(Buffer.alloc(1024, 97));
      return res.end();
    }
    if (req.url === '/reset') {
      res.writeHead(200, { 'content-length': '100000' });
      res.write(Buffer.alloc(1024, 97));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    // /slow: a first chunk, then nothing until the client gives up.
    res.writeHead(200);
    res.write('x');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(async () => {
  await pool.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const get = (path: string, signal = new AbortController().signal) =>
  pool.request({ path, method: 'GET', signal });

describe('readBounded', () => {
  it('returns the whole body, one chunk or many', async () => {
    const a = await get('/small');
    expect((await readBounded(a.body, 1024, new AbortController().signal)).toString()).toBe('{"ok":true}');
    const b = await get('/chunks');
    expect((await readBounded(b.body, 64 * 1024, new AbortController().signal)).length).toBe(8 * 1024);
  });

  it('refuses a body over the cap and keeps the process alive after destroying it', async () => {
    const r = await get('/chunks');
    const err = await readBounded(r.body, 3000, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatehouseError);
    expect((err as GatehouseError).code).toBe('GH_ERR_UPSTREAM_RESPONSE_TOO_LARGE');
    // The destroyed undici body emits its abort error after the refusal: it must not go unhandled.
    await new Promise((r) => setTimeout(r, 50));
    const ok = await get('/small');
    expect((await readBounded(ok.body, 1024, new AbortController().signal)).length).toBe(11);
  });

  it('fails with a reset when the upstream drops the connection mid-body', async () => {
    const ac = new AbortController();
    const r = await get('/reset', ac.signal);
    const err = await readBounded(r.body, 1 << 20, ac.signal).catch((e: unknown) => e);
    expect(mapUpstreamError(err, ac.signal).code).toBe('GH_ERR_UPSTREAM_RESET');
  });

  it('stops on abort and the abort reason is what the caller maps', async () => {
    const ac = new AbortController();
    const r = await get('/slow', ac.signal);
    const reading = readBounded(r.body, 1 << 20, ac.signal).catch((e: unknown) => e);
    setTimeout(() => ac.abort(new GatehouseError('GH_ERR_UPSTREAM_TOTAL_TIMEOUT')), 20);
    const err = await reading;
    expect(mapUpstreamError(err, ac.signal).code).toBe('GH_ERR_UPSTREAM_TOTAL_TIMEOUT');
  });
});
