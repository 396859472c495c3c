import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EgressProcess, startEgress } from '../../../src/boot/egress.js';
import { parseConfig } from '../../../src/config/load.js';
import { type JsonApi, startJsonApi } from '../../fixtures/mcp/json-api.js';
import { type ProbeServer, startProbeServer } from '../../fixtures/mcp/probe-server.js';
import { eventually } from '../../helpers/gateway.js';
import { consumerKey, startToolGateway, type ToolGateway, textOf, toolError } from './harness.js';

const acme = consumerKey('acme');
const customer = {
  name: 'get_customer',
  access: 'read' as const,
  output: { pii: 'allow' as const },
  http: {
    method: 'GET' as const,
    path: '/customers/{id}',
    inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  },
};

describe('tool traffic through the egress proxy', () => {
  let allowed: JsonApi;
  let outside: JsonApi;
  let probe: ProbeServer;
  let proxy: EgressProcess;
  let tg: ToolGateway;
  let proxyAudit: string;
  process.env.GH_TEST_TOOLS_EGRESS = 'tools-egress-secret-0123';

  const egressEvents = () =>
    (existsSync(proxyAudit) ? readFileSync(proxyAudit, 'utf8').split('\n') : [])
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { gatehouse?: { egress?: Record<string, unknown> } })
      .map((e) => e.gatehouse?.egress)
      .filter((e) => e !== undefined);

  beforeAll(async () => {
    allowed = await startJsonApi();
    outside = await startJsonApi();
    probe = await startProbeServer();
    const probePort = Number(new URL(probe.url).port);
    proxyAudit = join(mkdtempSync(join(tmpdir(), 'gh-tools-egress-')), 'audit.ndjson');
    proxy = await startEgress(
      parseConfig({
        telemetry: { audit: { sinks: [{ kind: 'file', path: proxyAudit }] } },
        egress: {
          port: 0,
          host: '127.0.0.1',
          identities: [
            {
              id: 'tool-gateway',
              credential: '${GH_TEST_TOOLS_EGRESS}',
              allowIpLiterals: true,
              allowNetworks: ['127.0.0.0/8'],
              allow: [{ host: '127.0.0.1', ports: [allowed.port, probePort] }],
            },
          ],
        },
      }),
      { logger: pino({ level: 'silent' }) },
    );
    const egress = {
      proxy: `http://127.0.0.1:${proxy.address.port}`,
      identity: 'tool-gateway',
      credential: '${GH_TEST_TOOLS_EGRESS}',
    };
    tg = await startToolGateway({
      auth: { consumers: [acme.entry] },
      tools: {
        enabled: true,
        servers: [
          { name: 'crm', transport: { kind: 'rest', baseUrl: allowed.url }, egress, tools: [customer] },
          { name: 'elsewhere', transport: { kind: 'rest', baseUrl: outside.url }, egress, tools: [customer] },
          {
            name: 'probe',
            transport: { kind: 'http', url: probe.url },
            egress,
            tools: [{ name: 'echo', access: 'read' }],
          },
        ],
        access: [{ consumer: 'acme', tools: ['crm.*', 'elsewhere.*', 'probe.*'] }],
      },
    });
  }, 30_000);
  afterAll(async () => {
    await tg?.close();
    await proxy?.close();
    await probe?.close();
    await allowed?.close();
    await outside?.close();
  });

  it('reaches an allowed plain HTTP tool and an MCP server only through the proxy', async () => {
    const c = await tg.client(acme.key);
    const r = await c.callTool({ name: 'crm.get_customer', arguments: { id: '5' } });
    expect(r.structuredContent).toMatchObject({ id: '5', name: 'Ada Lovelace' });
    expect(textOf(await c.callTool({ name: 'probe.echo', arguments: { msg: 'via proxy' } }))).toContain(
      'via proxy',
    );
    await eventually(() => {
      const ports = egressEvents()
        .filter((e) => e.verdict === 'allow')
        .map((e) => (e.destination as { port?: number } | undefined)?.port);
      expect(ports).toContain(allowed.port);
      expect(ports).toContain(Number(new URL(probe.url).port));
    });
  });

  it('a destination outside the proxy identity allowlist is refused and never reached', async () => {
    const c = await tg.client(acme.key);
    const r = await toolError(c.callTool({ name: 'elsewhere.get_customer', arguments: { id: '5' } }));
    expect(r.code).toBe('GH_ERR_TOOL_UPSTREAM');
    expect(outside.requests).toHaveLength(0);
    await eventually(() => {
      const denied = egressEvents().find(
        (e) =>
          e.verdict === 'deny' && (e.destination as { port?: number } | undefined)?.port === outside.port,
      );
      expect(denied).toBeDefined();
    });
  });
});
