/**
 * Tool gateway targets (issue 19): added latency per tool call through /mcp versus the same MCP
 * server called directly, and tools/list aggregated over 20 servers × 50 tools served from the
 * catalog cache. Both measured with the official SDK client, sequential calls, after a warm-up.
 * Then a plain HTTP/JSON tool (transport `rest`): the API called directly with fetch versus the
 * same operation through the gateway's `POST /v1/tools/{name}` (every control of a tool call).
 *
 *   node --import tsx bench/tools.ts [--calls 2000] [--lists 2000]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createMcpHandler, Server } from '@modelcontextprotocol/server';
import pino from 'pino';
import { startGateway } from '../src/boot/gateway.js';
import { parseConfig } from '../src/config/load.js';
import { generateApiKey, hashApiKey } from '../src/formats/api-key.js';
import { startJsonApi } from '../test/fixtures/mcp/json-api.js';
import { startProbeServer } from '../test/fixtures/mcp/probe-server.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const CALLS = arg('calls', 2000);
const LISTS = arg('lists', 2000);

/** A minimal MCP server over node:http with `n` read tools (echo semantics). */
async function toolServer(n: number): Promise<{ url: string; close(): void }> {
  const tools = Array.from({ length: n }, (_, i) => ({
    name: `t${i}`,
    description: `Tool number ${i}: echoes its message.`,
    inputSchema: { type: 'object', properties: { msg: { type: 'string' } }, required: ['msg'] },
  }));
  const handler = createMcpHandler(
    () => {
      const s = new Server({ name: 'bench', version: '1' }, { capabilities: { tools: {} } });
      s.setRequestHandler('tools/list', async () => ({ tools: tools as never }));
      s.setRequestHandler('tools/call', async (req) => ({
        content: [{ type: 'text', text: String(req.params.arguments?.msg) }],
      }));
      return s;
    },
    { responseMode: 'json' },
  );
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const h = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') h.set(k, v);
    const out = await handler.fetch(
      new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers: h,
        body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
      }),
    );
    res.writeHead(out.status, Object.fromEntries(out.headers));
    res.end(Buffer.from(await out.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    close: () => server.close(),
  };
}

async function connect(url: string, token?: string): Promise<Client> {
  const c = new Client({ name: 'bench', version: '1' });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } },
    }),
  );
  return c;
}

async function timed(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(200, n); i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;
const fmt = (x: number) => x.toFixed(3);

const { key, id } = generateApiKey('ghk_');
const servers = await Promise.all(Array.from({ length: 20 }, () => toolServer(50)));
const probe = await startProbeServer();
const api = await startJsonApi();
// Connected before the gateway starts: a client that first connects after it got ECONNRESET on
// this machine (open question in bench/README.md).
const direct = await connect(probe.url);
const config = parseConfig({
  // Keep-alive for the whole run: the default closes a connection every 1000 requests.
  server: { host: '127.0.0.1', port: 0, allowPlaintext: true, maxRequestsPerSocket: 0 },
  health: { port: 0 },
  metrics: { port: 0 },
  auth: { consumers: [{ name: 'bench', apiKeys: [{ id, hash: hashApiKey(key, undefined) }] }] },
  tools: {
    enabled: true,
    servers: [
      ...servers.map((s, i) => ({
        name: `s${i}`,
        transport: { kind: 'http', url: s.url },
        tools: Array.from({ length: 50 }, (_, j) => ({ name: `t${j}`, access: 'read' })),
      })),
      { name: 'p', transport: { kind: 'http', url: probe.url }, tools: [{ name: 'echo', access: 'read' }] },
      {
        name: 'j',
        transport: { kind: 'rest', baseUrl: api.url },
        tools: [
          {
            name: 'get',
            access: 'read',
            output: { pii: 'allow' },
            http: {
              method: 'GET',
              path: '/customers/{id}',
              inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
            },
          },
        ],
      },
    ],
    access: [
      { consumer: 'bench', tools: ['j.get'] },
      { consumer: 'bench', tools: servers.map((_, i) => `s${i}.*`) },
      { consumer: 'bench', tools: ['p.echo'] },
    ],
  },
});
const gw = await startGateway(config, { logger: pino({ level: 'silent' }) });
const viaGw = await connect(`${gw.url}/mcp`, key);

const d = await timed(CALLS, () => direct.callTool({ name: 'echo', arguments: { msg: 'hello' } }));
const g = await timed(CALLS, () => viaGw.callTool({ name: 'p.echo', arguments: { msg: 'hello' } }));
const hd = await timed(CALLS, async () => (await fetch(`${api.url}/customers/42`)).json());
const hg = await timed(CALLS, async () => {
  const r = await fetch(`${gw.url}/v1/tools/j.get`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: '{"id":"42"}',
  });
  if (r.status !== 200) throw new Error(`plain HTTP tool answered ${r.status}`);
  return r.json();
});
const listed = (await viaGw.listTools()).tools.length;
const l = await timed(LISTS, () => viaGw.listTools());

console.log(`tool call, direct      p50 ${fmt(pct(d, 50))} ms  p99 ${fmt(pct(d, 99))} ms  (n=${CALLS})`);
console.log(`tool call, via gateway p50 ${fmt(pct(g, 50))} ms  p99 ${fmt(pct(g, 99))} ms`);
console.log(
  `added latency          p50 ${fmt(pct(g, 50) - pct(d, 50))} ms  p99 ${fmt(pct(g, 99) - pct(d, 99))} ms`,
);
console.log(
  `plain HTTP tool, direct p50 ${fmt(pct(hd, 50))} ms  p99 ${fmt(pct(hd, 99))} ms; via POST /v1/tools p50 ${fmt(pct(hg, 50))} ms  p99 ${fmt(pct(hg, 99))} ms`,
);
console.log(
  `plain HTTP added       p50 ${fmt(pct(hg, 50) - pct(hd, 50))} ms  p99 ${fmt(pct(hg, 99) - pct(hd, 99))} ms`,
);
console.log(
  `tools/list ${listed} tools (20 × 50, cached)  p50 ${fmt(pct(l, 50))} ms  p99 ${fmt(pct(l, 99))} ms (n=${LISTS})`,
);
await direct.close();
await viaGw.close();
await gw.close();
await probe.close();
await api.close();
for (const s of servers) s.close();
