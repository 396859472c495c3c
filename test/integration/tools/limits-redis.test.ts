import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JsonApi, startJsonApi } from '../../fixtures/mcp/json-api.js';
import { eventually } from '../../helpers/gateway.js';
import { consumerKey, startToolGateway, type ToolGateway, toolError } from './harness.js';

const REDIS = process.env.GATEHOUSE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

describe('per-tool limits through the main limiter, shared by two replicas on real Redis', () => {
  const acme = consumerKey('acme');
  const beta = consumerKey('beta');
  const prefix = `ghtest:toollimits:${randomUUID()}:`;
  let api: JsonApi;
  let r1: ToolGateway;
  let r2: ToolGateway;

  beforeAll(async () => {
    api = await startJsonApi();
    const get = (path: string) => ({
      method: 'GET' as const,
      path,
      inputSchema: { type: 'object', properties: { id: { type: 'string' } } },
    });
    const cfg = {
      store: { kind: 'redis' as const, url: REDIS, prefix },
      auth: { consumers: [acme.entry, beta.entry] },
      tools: {
        enabled: true,
        servers: [
          {
            name: 'api',
            transport: { kind: 'rest' as const, baseUrl: api.url },
            tools: [
              {
                name: 'lookup',
                access: 'read' as const,
                output: { pii: 'allow' as const },
                limits: { rate: { perMinute: 3 } },
                http: get('/customers/{id}'),
              },
              {
                name: 'slow',
                access: 'read' as const,
                timeoutMs: 2_000,
                limits: { totalConcurrency: 1 },
                http: get('/slow'),
              },
            ],
          },
        ],
        access: [
          { consumer: 'acme', tools: ['api.*'] },
          { consumer: 'beta', tools: ['api.*'] },
        ],
      },
    };
    r1 = await startToolGateway(cfg);
    r2 = await startToolGateway(cfg);
  }, 30_000);
  afterAll(async () => {
    await r1?.close();
    await r2?.close();
    await api?.close();
  });

  it('counts one consumer rate across both replicas, and each consumer on its own', async () => {
    const [a1, a2, b2] = await Promise.all([r1.client(acme.key), r2.client(acme.key), r2.client(beta.key)]);
    const call = (c: typeof a1, id: string) =>
      toolError(c.callTool({ name: 'api.lookup', arguments: { id } }));
    const codes = [await call(a1, '1'), await call(a2, '2'), await call(a1, '3'), await call(a2, '4')].map(
      (o) => o.code,
    );
    expect(codes).toEqual(['ok', 'ok', 'ok', 'GH_ERR_TOOL_RATE']);
    const refused = await call(a1, '5');
    expect(refused.code).toBe('GH_ERR_TOOL_RATE');
    expect(refused.data.status).toBe(429);
    // Another consumer has its own count.
    expect((await call(b2, '6')).code).toBe('ok');
    expect(api.requests.filter((r) => r.url.startsWith('/customers/'))).toHaveLength(4);
    // The count lives in the limiter's keys on Redis (the route limiter's layout, scope tool:<name>).
    const redis = new Redis(REDIS);
    try {
      expect(await redis.keys(`${prefix}lim:{tool:api.lookup}:c:*`)).not.toHaveLength(0);
    } finally {
      redis.disconnect();
    }
  });

  it('holds a tool-wide concurrency slot across replicas until the call ends', async () => {
    const [a1, b2] = await Promise.all([r1.client(acme.key), r2.client(beta.key)]);
    const first = toolError(a1.callTool({ name: 'api.slow', arguments: {} }));
    await eventually(() => expect(api.requests.some((r) => r.url === '/slow')).toBe(true), 20_000);
    const second = await toolError(b2.callTool({ name: 'api.slow', arguments: {} }));
    expect(second.code).toBe('GH_ERR_TOOL_CONCURRENCY');
    expect((await first).code).toBe('GH_ERR_TOOL_TIMEOUT');
    // Released when the first call ended: the other replica gets the slot now.
    await eventually(async () => {
      const third = await toolError(b2.callTool({ name: 'api.slow', arguments: {} }));
      expect(third.code).toBe('GH_ERR_TOOL_TIMEOUT');
    }, 20_000);
  });
});
