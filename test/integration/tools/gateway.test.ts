import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLANTED_SECRET, type ProbeServer, startProbeServer } from '../../fixtures/mcp/probe-server.js';
import { eventually } from '../../helpers/gateway.js';
import { consumerKey, startToolGateway, type ToolGateway, textOf, toolError } from './harness.js';

const EVERYTHING = 'node_modules/@modelcontextprotocol/server-everything/dist/index.js';

describe('tool gateway: /mcp through the official SDK client', () => {
  let probe: ProbeServer;
  let tg: ToolGateway;
  const acme = consumerKey('acme');
  const beta = consumerKey('beta');
  process.env.GH_TEST_PROBE_TOKEN = 'probe-upstream-secret';

  beforeAll(async () => {
    probe = await startProbeServer();
    tg = await startToolGateway({
      auth: { consumers: [acme.entry, beta.entry] },
      tools: {
        enabled: true,
        servers: [
          {
            name: 'probe',
            transport: { kind: 'http', url: probe.url },
            credentials: { kind: 'static', value: '${GH_TEST_PROBE_TOKEN}' },
            tools: [
              { name: 'echo', access: 'read', constraints: { msg: { maxLength: 32 } } },
              { name: 'leak', access: 'read' },
              { name: 'customer', access: 'read', output: { pii: 'allow', fields: ['id', 'name', 'plan'] } },
              { name: 'transfer', constraints: { amount: { minimum: 1, maximum: 1000 } } },
              {
                name: 'fetch_url',
                access: 'read',
                constraints: { url: { allowedHosts: ['api.example.com'] } },
              },
            ],
          },
          {
            name: 'every',
            transport: { kind: 'stdio', command: process.execPath, args: [EVERYTHING, 'stdio'] },
            tools: [
              { name: 'get-sum', access: 'read', constraints: { a: { minimum: 0, maximum: 100 } } },
              { name: 'echo', access: 'read' },
            ],
          },
        ],
        access: [
          { consumer: 'acme', tools: ['probe.*', 'every.get-sum'] },
          { consumer: 'beta', tools: ['every.*'] },
        ],
      },
    });
  }, 30_000);
  afterAll(async () => {
    await tg?.close();
    await probe?.close();
  });

  it('lists only the tools of each identity, prefixed per server', async () => {
    const a = await tg.client(acme.key);
    const b = await tg.client(beta.key);
    const aNames = (await a.listTools()).tools.map((t) => t.name).sort();
    const bNames = (await b.listTools()).tools.map((t) => t.name).sort();
    expect(aNames).toEqual([
      'every.get-sum',
      'probe.customer',
      'probe.echo',
      'probe.fetch_url',
      'probe.leak',
      'probe.transfer',
    ]);
    expect(bNames).toEqual(['every.echo', 'every.get-sum']);
    // The upstream's unlisted tools (hang, and everything's others) exist for nobody.
    expect(aNames).not.toContain('probe.hang');
    // The operator's classification, not the server's hint.
    const transfer = (await a.listTools()).tools.find((t) => t.name === 'probe.transfer');
    expect(transfer?.annotations?.readOnlyHint).toBe(false);
  });

  it('calls a stdio server and an HTTP server through one endpoint', async () => {
    const a = await tg.client(acme.key);
    expect(textOf(await a.callTool({ name: 'every.get-sum', arguments: { a: 2, b: 3 } }))).toContain('5');
    expect(textOf(await a.callTool({ name: 'probe.echo', arguments: { msg: 'hello' } }))).toBe('hello');
  });

  it('an unlisted tool, or a tool of another identity, is uncallable with the same answer', async () => {
    const b = await tg.client(beta.key);
    const before = probe.calls.length;
    expect((await toolError(b.callTool({ name: 'probe.echo', arguments: { msg: 'x' } }))).code).toBe(
      'GH_ERR_TOOL_UNKNOWN',
    );
    expect((await toolError(b.callTool({ name: 'probe.hang', arguments: {} }))).code).toBe(
      'GH_ERR_TOOL_UNKNOWN',
    );
    expect((await toolError(b.callTool({ name: 'nope.nothing', arguments: {} }))).code).toBe(
      'GH_ERR_TOOL_UNKNOWN',
    );
    expect(probe.calls.length).toBe(before);
  });

  it('refuses bad arguments with their code and never calls the upstream', async () => {
    const a = await tg.client(acme.key);
    const before = probe.calls.length;
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['probe.transfer', { amount: 5000, to: 'x' }, 'GH_ERR_TOOL_ARGS_CONSTRAINT'],
      ['probe.transfer', { amount: 5, to: 'x', force: true }, 'GH_ERR_TOOL_ARGS_SCHEMA'],
      ['probe.transfer', { amount: 'five', to: 'x' }, 'GH_ERR_TOOL_ARGS_SCHEMA'],
      ['probe.echo', { msg: 'x'.repeat(33) }, 'GH_ERR_TOOL_ARGS_CONSTRAINT'],
      ['probe.fetch_url', { url: 'https://evil.example.net/x' }, 'GH_ERR_TOOL_ARGS_HOST'],
      ['probe.fetch_url', { url: 'https://api.example.com@evil.example.net/' }, 'GH_ERR_TOOL_ARGS_HOST'],
    ];
    for (const [name, args, code] of cases)
      expect(
        (await toolError(a.callTool({ name, arguments: args }))).code,
        `${name} ${JSON.stringify(args)}`,
      ).toBe(code);
    expect(probe.calls.length).toBe(before);
    // The stdio server too: out of range is refused before the child sees it.
    expect((await toolError(a.callTool({ name: 'every.get-sum', arguments: { a: 101, b: 1 } }))).code).toBe(
      'GH_ERR_TOOL_ARGS_CONSTRAINT',
    );
  });

  it('a secret planted in a tool result never reaches the client', async () => {
    const a = await tg.client(acme.key);
    const r = await a.callTool({ name: 'probe.leak', arguments: {} });
    expect(JSON.stringify(r)).not.toContain(PLANTED_SECRET);
    expect(textOf(r)).toContain('status ok');
    await eventually(() => {
      const ev = tg
        .auditEvents('tool.call')
        .find((e) => (e as { gatehouse: { tool: { name: string } } }).gatehouse.tool.name === 'leak') as
        | { gatehouse: { verdicts: Array<{ detector: string }> } }
        | undefined;
      expect(ev?.gatehouse.verdicts.some((v) => v.detector === 'secrets')).toBe(true);
    });
  });

  it('projects a result to its declared fields', async () => {
    const a = await tg.client(acme.key);
    const r = (await a.callTool({ name: 'probe.customer', arguments: { id: 7 } })) as {
      structuredContent?: Record<string, unknown>;
    };
    expect(r.structuredContent).toEqual({ id: 7, name: 'Ada Lovelace', plan: 'gold' });
    expect(JSON.stringify(r)).not.toContain('internal_notes');
  });

  it('the upstream receives the injected credential and never the client token', async () => {
    const auths = probe.headers.map((h) => h.authorization);
    expect(auths.length).toBeGreaterThan(0);
    expect(new Set(auths)).toEqual(new Set(['Bearer probe-upstream-secret']));
    const all = JSON.stringify(probe.headers);
    expect(all).not.toContain(acme.key);
    expect(all).not.toContain(beta.key);
  });

  it('writes one audit event per call with OWASP ASI02 and no argument values', async () => {
    await eventually(() => expect(tg.auditEvents('tool.call').length).toBeGreaterThan(10));
    const events = tg.auditEvents('tool.call') as Array<{
      threat: { technique: { id: string[] } };
      gatehouse: { tool: Record<string, unknown>; owasp: { asi: string[] } };
      user: { id: string };
    }>;
    expect(events.length).toBeGreaterThan(5);
    for (const ev of events) {
      expect(ev.threat.technique.id).toContain('ASI02');
      expect(ev.gatehouse.tool.server).toBeTypeOf('string');
    }
    const refused = events.find((e) => e.gatehouse.tool.name === 'transfer');
    expect(refused?.gatehouse.tool.upstream_called).toBe(false);
    expect(JSON.stringify(events)).not.toContain('evil.example.net');
  });

  it('refuses a request without credentials before anything else', async () => {
    const res = await fetch(tg.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
  });
});
