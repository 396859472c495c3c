import { describe, expect, it } from 'vitest';
import { runLint } from '../../../src/config/lint.js';
import { parseConfig } from '../../../src/config/load.js';
import { keyedSpec } from '../../../src/edge/limits/keyed.js';
import { TOOLS_LINT } from '../../../src/tools/lint.js';

const http = {
  method: 'GET',
  path: '/items/{id}',
  inputSchema: { type: 'object', properties: { id: { type: 'string' } } },
};
const rest = (tool: Record<string, unknown>, server: Record<string, unknown> = {}) => ({
  tools: {
    enabled: true,
    servers: [
      { name: 'api', transport: { kind: 'rest', baseUrl: 'http://127.0.0.1:9/' }, tools: [tool], ...server },
    ],
  },
});
const problems = (raw: object) => runLint(parseConfig(raw), TOOLS_LINT).errors;

describe('plain HTTP tools: config', () => {
  it.each([
    ['a rest tool without its http block', rest({ name: 'get' })],
    [
      'an http block on an MCP server',
      {
        tools: {
          servers: [
            { name: 'm', transport: { kind: 'http', url: 'http://x/' }, tools: [{ name: 't', http }] },
          ],
        },
      },
    ],
    [
      'egress on a stdio server',
      {
        tools: {
          servers: [
            {
              name: 's',
              transport: { kind: 'stdio', command: 'x' },
              egress: { proxy: 'http://p:3128', identity: 'i', credential: '${X}' },
              tools: [{ name: 't' }],
            },
          ],
        },
      },
    ],
    [
      'both http and openapi on one tool',
      rest({ name: 'get', http, openapi: { spec: '/x.yaml', operationId: 'getItem' } }),
    ],
    ['an unknown HTTP method', rest({ name: 'get', http: { ...http, method: 'TRACE' } })],
    ['a path that does not start with /', rest({ name: 'get', http: { ...http, path: 'items' } })],
  ])('the schema refuses %s', (_, raw) => expect(() => parseConfig(raw)).toThrow());

  it('lint refuses a path placeholder outside the schema, limits without the limiter, an inline egress credential', () => {
    expect(problems(rest({ name: 'get', http: { ...http, path: '/items/{sku}' } }))).toEqual([
      expect.stringContaining('path argument {sku} is not in inputSchema'),
    ]);
    expect(
      problems({
        ...rest({ name: 'get', http, limits: { rate: { perMinute: 1 } } }),
        limits: { enabled: false },
      }),
    ).toEqual([expect.stringContaining('per-tool limits need limits.enabled')]);
    expect(
      problems(
        rest(
          { name: 'get', http },
          { egress: { proxy: 'http://p:3128', identity: 'i', credential: 'inline' } },
        ),
      ),
    ).toEqual([expect.stringContaining('egress: inline credential')]);
    expect(
      problems(rest({ name: 'get', openapi: { spec: '/nonexistent/shop.yaml', operationId: 'getItem' } })),
    ).toEqual([expect.stringContaining('tools.servers.api.tools.get.openapi')]);
    expect(problems(rest({ name: 'get', http, limits: { concurrency: 2 } }))).toEqual([]);
  });
});

describe('keyed limits as limiter specs', () => {
  const codes = { rate: 'GH_ERR_TOOL_RATE', concurrency: 'GH_ERR_TOOL_CONCURRENCY' } as const;
  it('carries the rate on the request dimension and leaves tokens and cost unbounded', () => {
    const s = keyedSpec({ rate: { perMinute: 10, burst: 5 }, concurrency: 3, leaseMs: 40_000, codes }, 1);
    expect(s.windows[0].map((w) => [w.id, w.cap])).toEqual([
      ['m', 15],
      ['s', 50],
    ]);
    for (const d of [1, 2, 3] as const) expect(s.windows[d][0]?.cap).toBeGreaterThan(1e12);
    expect(s.concurrency).toBe(3);
    expect(s.leaseMs).toBe(40_000);
  });
  it('divides by the replicas for the local posture, never below one', () => {
    const s = keyedSpec({ rate: { perMinute: 3, burst: 0 }, concurrency: 1, leaseMs: 1, codes }, 4);
    expect(s.windows[0].map((w) => w.cap)).toEqual([1]);
    expect(s.concurrency).toBe(1);
  });
});
