import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatehouseConfigInput } from '../../../src/config/schema/index.js';
import { RESILIENCE } from '../../../src/resilience/slots.js';
import { type JsonApi, startJsonApi } from '../../fixtures/mcp/json-api.js';
import { PLANTED_SECRET } from '../../fixtures/mcp/probe-server.js';
import { eventually } from '../../helpers/gateway.js';
import { consumerKey, startToolGateway, type ToolGateway, toolError } from './harness.js';

const acme = consumerKey('acme');
const beta = consumerKey('beta');

function toolsSection(api: JsonApi): GatehouseConfigInput['tools'] {
  return {
    enabled: true,
    servers: [
      {
        name: 'api',
        transport: { kind: 'rest' as const, baseUrl: api.url },
        credentials: { kind: 'static' as const, value: '${GH_TEST_API_TOKEN}' },
        tools: [
          {
            name: 'get_customer',
            access: 'read' as const,
            output: { pii: 'allow' as const, fields: ['id', 'name', 'plan'] },
            constraints: { id: { maxLength: 16 } },
            http: {
              method: 'GET' as const,
              path: '/customers/{id}',
              description: 'Look up one customer by id.',
              inputSchema: {
                type: 'object',
                properties: { id: { type: 'string' } },
                required: ['id'],
                additionalProperties: false,
              },
            },
          },
          {
            name: 'get_note',
            access: 'read' as const,
            http: {
              method: 'GET' as const,
              path: '/notes/{id}',
              inputSchema: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
            },
          },
          {
            name: 'refund',
            access: 'write' as const,
            constraints: { amount: { minimum: 1, maximum: 500 } },
            limits: { rate: { perMinute: 3 } },
            http: {
              method: 'POST' as const,
              path: '/refunds',
              inputSchema: {
                type: 'object',
                properties: { amount: { type: 'number' }, order: { type: 'string' } },
                required: ['amount', 'order'],
              },
            },
          },
          {
            name: 'slow',
            access: 'read' as const,
            timeoutMs: 300,
            limits: { concurrency: 1 },
            http: { method: 'GET' as const, path: '/slow', inputSchema: { type: 'object', properties: {} } },
          },
          {
            name: 'broken',
            access: 'read' as const,
            http: {
              method: 'GET' as const,
              path: '/broken',
              inputSchema: { type: 'object', properties: {} },
            },
          },
        ],
      },
    ],
    access: [
      { consumer: 'acme', tools: ['api.*'] },
      { consumer: 'beta', tools: ['api.get_customer'] },
    ],
  };
}

describe('plain HTTP/JSON tools behind the tool gateway', () => {
  let api: JsonApi;
  let tg: ToolGateway;
  process.env.GH_TEST_API_TOKEN = 'api-upstream-secret';

  const post = (token: string, name: string, args: unknown, headers: Record<string, string> = {}) =>
    fetch(`${tg.gw.url}/v1/tools/${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(args),
    });

  beforeAll(async () => {
    api = await startJsonApi();
    tg = await startToolGateway({ auth: { consumers: [acme.entry, beta.entry] }, tools: toolsSection(api) });
  }, 30_000);
  afterAll(async () => {
    await tg?.close();
    await api?.close();
  });

  it('lists them on /mcp per identity, and calls one through the official MCP client', async () => {
    const a = await tg.client(acme.key);
    const b = await tg.client(beta.key);
    const names = (await a.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(['api.broken', 'api.get_customer', 'api.get_note', 'api.refund', 'api.slow']);
    expect((await b.listTools()).tools.map((t) => t.name)).toEqual(['api.get_customer']);
    const listed = (await a.listTools()).tools.find((t) => t.name === 'api.get_customer');
    expect(listed?.description).toBe('Look up one customer by id.');
    expect(listed?.inputSchema.required).toEqual(['id']);

    const before = api.requests.length;
    const r = await a.callTool({ name: 'api.get_customer', arguments: { id: 'c/42 x' } });
    // The projection: only the declared fields reach the agent.
    expect(r.structuredContent).toEqual({ id: 'c/42 x', name: 'Ada Lovelace', plan: 'gold' });
    const seen = api.requests.slice(before);
    expect(seen).toHaveLength(1);
    // The argument is one encoded path segment; the gateway's credential, never the agent's.
    expect(seen[0]?.url).toBe('/customers/c%2F42%20x');
    expect(seen[0]?.headers.authorization).toBe('Bearer api-upstream-secret');
    expect(JSON.stringify(seen[0]?.headers)).not.toContain(acme.key);
  });

  it('answers the same call on POST /v1/tools/{name} for plain-HTTP agents', async () => {
    const res = await post(acme.key, 'api.get_customer', { id: '7' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { structuredContent?: unknown };
    expect(body.structuredContent).toEqual({ id: '7', name: 'Ada Lovelace', plan: 'gold' });
    // Not on beta's allowlist: the same answer as a tool that does not exist.
    const hidden = await post(beta.key, 'api.get_note', { id: 1 });
    expect(hidden.status).toBe(404);
    expect(((await hidden.json()) as { error: { code: string } }).error.code).toBe('GH_ERR_TOOL_UNKNOWN');
    const none = await post(acme.key, 'api.nothing', {});
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('GH_ERR_TOOL_UNKNOWN');
    const anonymous = await fetch(`${tg.gw.url}/v1/tools/api.get_customer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"id":"1"}',
    });
    expect(anonymous.status).toBe(401);
  });

  it('refuses bad arguments with their code and never calls the API', async () => {
    const c = await tg.client(acme.key);
    const before = api.requests.length;
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['api.get_customer', { id: '..' }, 'GH_ERR_TOOL_ARGS_CONSTRAINT'],
      ['api.get_customer', { id: '%2e%2E' }, 'GH_ERR_TOOL_ARGS_CONSTRAINT'],
      ['api.get_customer', { id: '1', extra: true }, 'GH_ERR_TOOL_ARGS_SCHEMA'],
      ['api.get_customer', { id: 'x'.repeat(17) }, 'GH_ERR_TOOL_ARGS_CONSTRAINT'],
      ['api.get_note', { id: 'seven' }, 'GH_ERR_TOOL_ARGS_SCHEMA'],
      ['api.refund', { amount: 5000, order: 'o-1' }, 'GH_ERR_TOOL_ARGS_CONSTRAINT'],
    ];
    for (const [name, args, code] of cases)
      expect(
        (await toolError(c.callTool({ name, arguments: args }))).code,
        `${name} ${JSON.stringify(args)}`,
      ).toBe(code);
    const res = await post(acme.key, 'api.get_customer', { id: '..' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'GH_ERR_TOOL_ARGS_CONSTRAINT',
    );
    expect(api.requests.length).toBe(before);
  });

  it('redacts a credential in the answer before the agent sees it', async () => {
    const res = await post(acme.key, 'api.get_note', { id: 3 });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).not.toContain(PLANTED_SECRET);
    expect(text).toContain('before friday');
  });

  it('runs a write call once for a repeated idempotency key, and rates it through the limiter', async () => {
    const before = api.requests.filter((r) => r.url === '/refunds').length;
    const key = { 'idempotency-key': 'refund-order-1' };
    const first = await post(acme.key, 'api.refund', { amount: 20, order: 'o-1' }, key);
    const again = await post(acme.key, 'api.refund', { amount: 20, order: 'o-1' }, key);
    expect(first.status).toBe(200);
    expect(await again.text()).toBe(await first.text());
    const refunds = api.requests.filter((r) => r.url === '/refunds');
    expect(refunds.length - before).toBe(1);
    expect(JSON.parse(refunds.at(-1)?.body ?? '{}')).toEqual({ amount: 20, order: 'o-1' });
    // The key reused with other arguments is refused.
    const other = await post(acme.key, 'api.refund', { amount: 21, order: 'o-1' }, key);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe(
      'GH_ERR_TOOL_IDEMPOTENCY_MISMATCH',
    );
    // `limits.rate: 3 per minute` per consumer: the fourth admitted call of the minute is a 429
    // (calls 1 to 3 above were admitted; a replay and a refused key were admitted too).
    const codes: string[] = [];
    let refused: Response | null = null;
    for (let i = 0; i < 4 && refused === null; i++) {
      const r = await post(acme.key, 'api.refund', { amount: 30 + i, order: `o-${i + 10}` });
      if (r.status === 429) refused = r;
      else codes.push(String(r.status));
    }
    expect(refused).not.toBeNull();
    if (refused === null) throw new Error('no call was refused');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('GH_ERR_TOOL_RATE');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Through MCP the same refusal is a JSON-RPC error with the code in its data.
    const c = await tg.client(acme.key);
    const viaMcp = await toolError(
      c.callTool({ name: 'api.refund', arguments: { amount: 9, order: 'o-99' } }),
    );
    expect(viaMcp.code).toBe('GH_ERR_TOOL_RATE');
    expect(viaMcp.data.status).toBe(429);
  });

  it('cuts a hanging call at its timeout, cancels it upstream, and caps its concurrency', async () => {
    const c = await tg.client(acme.key);
    const hanging = toolError(c.callTool({ name: 'api.slow', arguments: {} }));
    await eventually(() => expect(api.requests.some((r) => r.url === '/slow')).toBe(true), 20_000);
    // `limits.concurrency: 1`: a second call while the first holds the slot is refused.
    const second = await post(acme.key, 'api.slow', {});
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('GH_ERR_TOOL_CONCURRENCY');
    expect(second.status).toBe(429);
    expect((await hanging).code).toBe('GH_ERR_TOOL_TIMEOUT');
    await eventually(() => expect(api.cancelled).toContain('/slow'), 20_000);
    // The slot came back with the timeout.
    const third = await post(acme.key, 'api.slow', {});
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('GH_ERR_TOOL_TIMEOUT');
  });

  it('maps a server error to GH_ERR_TOOL_UPSTREAM', async () => {
    const res = await post(acme.key, 'api.broken', {});
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('GH_ERR_TOOL_UPSTREAM');
  });

  it('stops the server when the kill switch engages scope tool, and audits every call', async () => {
    const ks = RESILIENCE.require(tg.gw.rt).killSwitch;
    await ks.engage('tool', 'api', 'incident 7', 'test');
    try {
      const before = api.requests.length;
      const res = await post(acme.key, 'api.get_customer', { id: '1' });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('GH_ERR_MAINTENANCE');
      expect(api.requests.length).toBe(before);
    } finally {
      await ks.release('tool', 'api', 'incident 7 over', 'test');
    }
    expect((await post(acme.key, 'api.get_customer', { id: '1' })).status).toBe(200);
    await eventually(() => {
      const calls = tg.auditEvents('tool.call').map((e) => e.gatehouse as { tool: Record<string, unknown> });
      const refunds = calls.filter((g) => g.tool.server === 'api' && g.tool.name === 'refund');
      expect(refunds.some((g) => g.tool.outcome === 'replayed' && g.tool.idempotency_key)).toBe(true);
      expect(calls.some((g) => g.tool.name === 'get_customer' && g.tool.outcome === 'success')).toBe(true);
    });
    const metrics = await (await fetch(`${tg.gw.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/gatehouse_tool_calls_total\{server="api",tool="get_customer",outcome="success"/);
  });
});
