import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { baseHeaders, sendJson } from '../../../src/http/respond.js';
import type { RequestContext } from '../../../src/pipeline/context.js';

/** sendJson writes its headers as a flat list: the same precedence as the merged object it replaced. */
describe('sendJson', () => {
  it('the response headers replace the base ones, content-type and content-length are its own', async () => {
    const server = createServer((req, res) => {
      const ctx = {
        req,
        res,
        status: 0,
        headersSent: false,
        responseHeaders: {
          'cache-control': 'max-age=5',
          'x-request-id': 'req_1',
          'content-type': 'text/plain',
          'content-length': '1',
        },
      } as unknown as RequestContext;
      sendJson(ctx, baseHeaders('max-age=63072000'), 201, '{"é":1}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(res.status).toBe(201);
      expect(await res.text()).toBe('{"é":1}');
      expect(Object.fromEntries(res.headers)).toMatchObject({
        'cache-control': 'max-age=5',
        'x-content-type-options': 'nosniff',
        'strict-transport-security': 'max-age=63072000',
        'x-request-id': 'req_1',
        'content-type': 'application/json',
        'content-length': '8',
      });
    } finally {
      server.close();
    }
  });
});
