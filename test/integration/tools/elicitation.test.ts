import {
  Client,
  StreamableHTTPClientTransport,
  UrlElicitationRequiredError,
} from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatehouseConfigInput } from '../../../src/config/schema/index.js';
import type { AdminRequest } from '../../../src/pipeline/admin.js';
import { APPROVAL_ROUTES } from '../../../src/tools/approvals/routes.js';
import { type JsonApi, startJsonApi } from '../../fixtures/mcp/json-api.js';
import { consumerKey, startToolGateway, type ToolGateway, textOf, toolError } from './harness.js';
import { pinAndSign } from './pins.js';

const acme = consumerKey('acme');
const APPROVAL_PAGE = 'https://console.gatehouse.test/approvals';

function toolsSection(
  api: JsonApi,
  manifest?: { path: string; publicKey: string },
  legacyUrlElicitation = false,
): GatehouseConfigInput['tools'] {
  return {
    enabled: true,
    ...(manifest !== undefined && { manifest }),
    approvals: { url: APPROVAL_PAGE, legacyUrlElicitation },
    servers: [
      {
        name: 'pay',
        tier: 2,
        transport: { kind: 'rest', baseUrl: api.url },
        tools: [
          {
            name: 'refund',
            access: 'write',
            http: {
              method: 'POST',
              path: '/refunds',
              description: 'Refund an order.',
              inputSchema: {
                type: 'object',
                properties: { amount: { type: 'number' }, order: { type: 'string' } },
                required: ['amount', 'order'],
              },
            },
          },
        ],
      },
    ],
    access: [{ consumer: 'acme', tools: ['pay.*'] }],
  };
}

describe('approvals as URL-mode elicitation (MCP elicitation mode "url")', () => {
  let api: JsonApi;
  let tg: ToolGateway;
  /** The same, with `approvals.legacyUrlElicitation` (2025-11-25 clients get the -32042 error). */
  let legacy: ToolGateway;

  /** The approver acting on the page the user was sent to (the admin route the console calls). */
  const approve = async (id: string, gateway: ToolGateway = tg) => {
    const route = APPROVAL_ROUTES.find((r) => r.path === '/tools/approvals/:id/approve');
    if (route === undefined) throw new Error('no approve route');
    const req: AdminRequest = {
      params: { id },
      query: new URLSearchParams(),
      body: {},
      operator: { id: 'alice@example.com', roles: ['approver'], via: 'oidc' },
      reason: 'refund checked',
      requestId: 'req_test',
    };
    await route.create(gateway.gw.rt)(req);
  };

  /** An agent's MCP client that declares URL elicitation, on the 2025 or the 2026-07-28 revision. */
  const agent = async (
    opts: { url: boolean; modern: boolean; gateway?: ToolGateway },
    onUrl?: (url: string) => Promise<string>,
  ) => {
    const c = new Client(
      { name: 'agent', version: '1.0.0' },
      {
        capabilities: opts.url ? { elicitation: { url: {} } } : {},
        ...(opts.modern && { versionNegotiation: { mode: { pin: '2026-07-28' } } }),
      },
    );
    if (onUrl !== undefined)
      c.setRequestHandler('elicitation/create', async (req) => {
        const p = req.params as { mode?: string; url?: string };
        if (p.mode !== 'url' || p.url === undefined) return { action: 'decline' };
        return { action: (await onUrl(p.url)) as 'accept' | 'decline' };
      });
    await c.connect(
      new StreamableHTTPClientTransport(new URL((opts.gateway ?? tg).mcpUrl), {
        requestInit: { headers: { authorization: `Bearer ${acme.key}` } },
      }),
    );
    return c;
  };

  beforeAll(async () => {
    api = await startJsonApi();
    const m = await pinAndSign(toolsSection(api));
    tg = await startToolGateway({
      auth: { consumers: [acme.entry] },
      tools: toolsSection(api, { path: m.manifestPath, publicKey: m.publicKeyPath }),
    });
    legacy = await startToolGateway({
      auth: { consumers: [acme.entry] },
      tools: toolsSection(api, { path: m.manifestPath, publicKey: m.publicKeyPath }, true),
    });
  }, 30_000);
  afterAll(async () => {
    await tg?.close();
    await legacy?.close();
    await api?.close();
  });

  const refunds = (order: string) =>
    api.requests.filter((r) => r.url === '/refunds' && JSON.parse(r.body).order === order).length;

  it('2025-11-25: the client gets the approval page as a URL elicitation, then the retried call runs once', async () => {
    const c = await agent({ url: true, modern: false, gateway: legacy });
    const args = { amount: 12, order: 'o-2025' };
    let err: unknown = null;
    try {
      await c.callTool({ name: 'pay.refund', arguments: args });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UrlElicitationRequiredError);
    const [el] = (err as UrlElicitationRequiredError).elicitations;
    expect(el?.mode).toBe('url');
    expect(el?.elicitationId).toMatch(/^apr_/);
    expect(el?.url).toBe(`${APPROVAL_PAGE}/${el?.elicitationId}`);
    expect(refunds('o-2025')).toBe(0);
    await approve(String(el?.elicitationId), legacy);
    expect(textOf(await c.callTool({ name: 'pay.refund', arguments: args }))).toContain('rf_');
    expect(refunds('o-2025')).toBe(1);
    await c.close();
  });

  it('2026-07-28: the SDK client opens the page through its elicitation handler and retries on its own', async () => {
    const seen: string[] = [];
    const c = await agent({ url: true, modern: true }, async (url) => {
      seen.push(url);
      // The user approves on the page (here: the approver's admin call), then accepts.
      await approve(url.slice(url.lastIndexOf('/') + 1));
      return 'accept';
    });
    const r = await c.callTool({ name: 'pay.refund', arguments: { amount: 13, order: 'o-2026' } });
    expect(textOf(r)).toContain('rf_');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(new RegExp(`^${APPROVAL_PAGE}/apr_`));
    expect(refunds('o-2026')).toBe(1);
    await c.close();
  });

  it('a user who declines, or a client without URL elicitation, gets the coded pending error', async () => {
    const declining = await agent({ url: true, modern: true }, async () => 'decline');
    const d = await toolError(
      declining.callTool({ name: 'pay.refund', arguments: { amount: 14, order: 'o-d' } }),
    );
    expect(d.code).toBe('GH_ERR_TOOL_APPROVAL_PENDING');
    expect(String(d.data.approval_id)).toMatch(/^apr_/);
    const plain = await agent({ url: false, modern: true });
    const p = await toolError(
      plain.callTool({ name: 'pay.refund', arguments: { amount: 15, order: 'o-p' } }),
    );
    expect(p.code).toBe('GH_ERR_TOOL_APPROVAL_PENDING');
    expect(p.data.approval_url).toBe(`${APPROVAL_PAGE}/${String(p.data.approval_id)}`);
    // A 2025-11-25 client's initialize capabilities are not visible to the stateless endpoint:
    // without legacyUrlElicitation it gets the coded error, whatever it declared.
    const old = await agent({ url: true, modern: false });
    const o = await toolError(old.callTool({ name: 'pay.refund', arguments: { amount: 16, order: 'o-o' } }));
    expect(o.code).toBe('GH_ERR_TOOL_APPROVAL_PENDING');
    expect(refunds('o-d') + refunds('o-p') + refunds('o-o')).toBe(0);
    for (const c of [declining, plain, old]) await c.close();
  });

  it('plain HTTP agents: POST /v1/tools parks with the approval id in headers, then runs once approved', async () => {
    const post = () =>
      fetch(`${tg.gw.url}/v1/tools/pay.refund`, {
        method: 'POST',
        headers: { authorization: `Bearer ${acme.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amount: 17, order: 'o-http' }),
      });
    const parked = await post();
    expect(parked.status).toBe(403);
    expect(((await parked.json()) as { error: { code: string } }).error.code).toBe(
      'GH_ERR_TOOL_APPROVAL_PENDING',
    );
    const id = parked.headers.get('x-gatehouse-approval-id') ?? '';
    expect(id).toMatch(/^apr_/);
    expect(parked.headers.get('x-gatehouse-approval-url')).toBe(`${APPROVAL_PAGE}/${id}`);
    expect(refunds('o-http')).toBe(0);
    await approve(id);
    const ran = await post();
    expect(ran.status).toBe(200);
    expect(await ran.text()).toContain('rf_');
    expect(refunds('o-http')).toBe(1);
  });
});
