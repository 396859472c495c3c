import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeServer, startProbeServer } from '../../fixtures/mcp/probe-server.js';
import { eventually } from '../../helpers/gateway.js';
import { consumerKey, startToolGateway, type ToolGateway, textOf, toolError } from './harness.js';

const FS = 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js';
const MEMORY = 'node_modules/@modelcontextprotocol/server-memory/dist/index.js';

/** An RFC 8693 token endpoint that records every exchange and answers with an audience token. */
async function startSts(): Promise<{
  url: string;
  forms: URLSearchParams[];
  auth: string[];
  close(): Promise<void>;
}> {
  const forms: URLSearchParams[] = [];
  const auth: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const f = new URLSearchParams(body);
      forms.push(f);
      auth.push(req.headers.authorization ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          access_token: `aud-token-for-${f.get('audience') ?? 'none'}`,
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          token_type: 'Bearer',
          expires_in: 600,
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    forms,
    auth,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('real npm MCP servers and gateway-held credentials', () => {
  const acme = consumerKey('acme');
  let root: string;
  let probe: ProbeServer;
  let sts: Awaited<ReturnType<typeof startSts>>;
  let tg: ToolGateway;
  process.env.GH_TEST_STS_SECRET = 'sts-client-secret';
  process.env.GH_TEST_GATEWAY_TOKEN = 'gateway-own-subject-token';

  beforeAll(async () => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'gh-tools-fs-')));
    writeFileSync(join(root, 'notes.txt'), 'quarterly numbers');
    probe = await startProbeServer();
    sts = await startSts();
    tg = await startToolGateway({
      auth: { consumers: [acme.entry] },
      tools: {
        enabled: true,
        servers: [
          {
            name: 'fs',
            transport: { kind: 'stdio', command: process.execPath, args: [FS, root] },
            tools: [
              { name: 'read_text_file', access: 'read', constraints: { path: { allowedRoots: [root] } } },
              { name: 'list_directory', access: 'read', constraints: { path: { allowedRoots: [root] } } },
            ],
          },
          {
            name: 'memory',
            transport: {
              kind: 'stdio',
              command: process.execPath,
              args: [MEMORY],
              env: { MEMORY_FILE_PATH: join(root, 'memory.jsonl') },
            },
            tools: [
              { name: 'create_entities', access: 'write' },
              { name: 'read_graph', access: 'read' },
            ],
          },
          {
            name: 'crm',
            transport: { kind: 'http', url: probe.url },
            credentials: {
              kind: 'token_exchange',
              tokenUrl: sts.url,
              clientId: 'gatehouse',
              clientSecret: '${GH_TEST_STS_SECRET}',
              subjectToken: '${GH_TEST_GATEWAY_TOKEN}',
              audience: 'https://crm.internal',
            },
            tools: [{ name: 'echo', access: 'read' }],
          },
        ],
        access: [{ consumer: 'acme', tools: ['fs.*', 'memory.*', 'crm.*'] }],
      },
    });
  }, 30_000);
  afterAll(async () => {
    await tg?.close();
    await probe?.close();
    await sts?.close();
  });

  it('server-filesystem: reads inside the root, refuses paths outside it before the server sees them', async () => {
    const c = await tg.client(acme.key);
    expect(
      textOf(await c.callTool({ name: 'fs.read_text_file', arguments: { path: join(root, 'notes.txt') } })),
    ).toContain('quarterly numbers');
    for (const path of ['/etc/passwd', `${root}/../../etc/passwd`, `${root}%2f..%2f..%2fetc%2fpasswd`])
      expect(
        (await toolError(c.callTool({ name: 'fs.read_text_file', arguments: { path } }))).code,
        path,
      ).toBe('GH_ERR_TOOL_ARGS_PATH');
    await eventually(() => {
      const refused = tg
        .auditEvents('tool.call')
        .map((e) => (e as { gatehouse: { tool: Record<string, unknown> } }).gatehouse.tool)
        .filter((t) => t.name === 'read_text_file' && t.outcome === 'failure');
      expect(refused).toHaveLength(3);
      for (const t of refused) expect(t.upstream_called).toBe(false);
    });
  });

  it('server-memory: a write tool at tier 1 runs once and a repeat is replayed', async () => {
    const c = await tg.client(acme.key);
    const args = { entities: [{ name: 'Gatehouse', entityType: 'project', observations: ['guards tools'] }] };
    const first = textOf(await c.callTool({ name: 'memory.create_entities', arguments: args }));
    const again = textOf(await c.callTool({ name: 'memory.create_entities', arguments: args }));
    expect(again).toBe(first);
    const graph = textOf(await c.callTool({ name: 'memory.read_graph', arguments: {} }));
    expect(graph).toContain('Gatehouse');
    await eventually(() => {
      const outcomes = tg
        .auditEvents('tool.call')
        .map((e) => (e as { gatehouse: { tool: Record<string, unknown> } }).gatehouse.tool)
        .filter((t) => t.name === 'create_entities')
        .map((t) => t.outcome);
      expect(outcomes).toEqual(['success', 'replayed']);
    });
  });

  it('RFC 8693: the upstream gets a token exchanged for its audience, never the agent token', async () => {
    const c = await tg.client(acme.key);
    const before = probe.headers.length;
    expect(textOf(await c.callTool({ name: 'crm.echo', arguments: { msg: 'ping' } }))).toBe('ping');
    const seen = probe.headers.slice(before).map((h) => h.authorization);
    expect(new Set(seen)).toEqual(new Set(['Bearer aud-token-for-https://crm.internal']));
    expect(JSON.stringify(probe.headers)).not.toContain(acme.key);
    const f = sts.forms.at(-1);
    expect(f?.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:token-exchange');
    expect(f?.get('subject_token')).toBe('gateway-own-subject-token');
    expect(sts.forms.map((x) => x.toString()).join('&')).not.toContain(acme.key);
  });
});
