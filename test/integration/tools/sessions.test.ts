import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeServer, startProbeServer } from '../../fixtures/mcp/probe-server.js';
import { consumerKey, startToolGateway, type ToolGateway, textOf, toolError } from './harness.js';

describe('session tokens carry a tools scope', () => {
  const acme = consumerKey('acme');
  let probe: ProbeServer;
  let tg: ToolGateway;
  process.env.GH_TEST_TOOLS_SESSION_KEY = generateKeyPairSync('ed25519')
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();

  beforeAll(async () => {
    probe = await startProbeServer();
    tg = await startToolGateway({
      auth: {
        consumers: [{ ...acme.entry, tier: 1 }],
        sessions: { enabled: true, signingKey: '${GH_TEST_TOOLS_SESSION_KEY}' },
      },
      tools: {
        enabled: true,
        servers: [
          {
            name: 'probe',
            transport: { kind: 'http', url: probe.url },
            tools: [
              { name: 'echo', access: 'read' },
              { name: 'customer', access: 'read' },
            ],
          },
        ],
        access: [{ consumer: 'acme', tools: ['probe.*'] }],
      },
    });
  }, 30_000);
  afterAll(async () => {
    await tg?.close();
    await probe?.close();
  });

  async function mint(body: Record<string, unknown>): Promise<string> {
    const res = await fetch(`${tg.gw.url}/v1/gatehouse/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acme.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { token?: string; error?: unknown };
    if (json.token === undefined) throw new Error(JSON.stringify(json));
    return json.token;
  }

  it('an agent token scoped to one tool sees and calls only that tool', async () => {
    const token = await mint({ agent: 'support-bot', scopes: ['tools:probe.echo'] });
    const c = await tg.client(token);
    expect((await c.listTools()).tools.map((t) => t.name)).toEqual(['probe.echo']);
    expect(textOf(await c.callTool({ name: 'probe.echo', arguments: { msg: 'hi' } }))).toBe('hi');
    expect((await toolError(c.callTool({ name: 'probe.customer', arguments: { id: 1 } }))).code).toBe(
      'GH_ERR_TOOL_UNKNOWN',
    );
  });

  it('a session token without a tools scope sees no tool (closed), while its API key sees all', async () => {
    const token = await mint({ agent: 'planner' });
    expect((await (await tg.client(token)).listTools()).tools).toEqual([]);
    expect((await (await tg.client(acme.key)).listTools()).tools.map((t) => t.name).sort()).toEqual([
      'probe.customer',
      'probe.echo',
    ]);
  });
});
