import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_CHECKS } from '../../../src/preflight/live-checks.js';
import { runAudit } from '../../../src/preflight/run.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { createPki, type Pki } from '../../helpers/pki.js';
import { startWafEdge, type WafEdge } from '../../helpers/waf.js';
import { auditInput } from '../preflight/audit-support.js';

/**
 * The reference edge (deploy/waf: nginx + ModSecurity v3 + OWASP CRS from Debian's packages) in
 * front of a running Gatehouse: CRS probes in the URL and headers are refused before Gatehouse
 * sees them; prompts that discuss SQL injection or carry HTML reach Gatehouse; the edge's
 * X-Forwarded-For replaces the client's, and Gatehouse trusts only the edge.
 */
let pki: Pki;
let tg: TestGateway;
let waf: WafEdge;

interface Res {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function send(
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: '127.0.0.1',
        port: waf.port,
        servername: 'localhost',
        ca: readFileSync(pki.caCert),
        method: opts.method ?? 'GET',
        path,
        agent: false,
        headers: { host: 'localhost', ...opts.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString('utf8');
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    r.on('error', reject);
    r.end(opts.body);
  });
}

const chat = (content: unknown, extra: Record<string, unknown> = {}) =>
  send('/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tg.key}` },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content }], max_tokens: 16, ...extra }),
  });

const reachedGatehouse = () => tg.logs.requests().length;

beforeAll(async () => {
  pki = createPki();
  tg = await startTestGateway({
    config: (u) => ({ routes: [demoRoute(u)], proxy: { trusted: ['127.0.0.1'] } }),
  });
  waf = await startWafEdge({
    upstream: new URL(tg.gw.url).host,
    upstreamScheme: 'http',
    cert: pki.serverCert,
    key: pki.serverKey,
    ca: pki.caCert,
  });
}, 60_000);

afterAll(async () => {
  await waf?.close();
  await tg?.close();
});

describe('WAF edge in front of Gatehouse', () => {
  it('passes ordinary traffic through to Gatehouse', async () => {
    const r = await send('/v1/models', { headers: { authorization: `Bearer ${tg.key}` } });
    expect(r.status).toBe(200);
    expect(r.headers['x-request-id']).toBeTruthy();
    expect(r.headers['strict-transport-security']).toMatch(/max-age=63072000/);
  });

  const PROBES: ReadonlyArray<readonly [string, string, Record<string, string>]> = [
    ['SQLi in the query', "/v1/models?id=1'%20OR%20'1'%3D'1'%20--", {}],
    ['XSS in the query', '/v1/models?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E', {}],
    ['path traversal in the query', '/v1/models?file=..%2F..%2F..%2Fetc%2Fpasswd', {}],
    ['encoded path traversal in the path', '/v1/%2e%2e%2f%2e%2e%2fetc%2fpasswd', {}],
    ['SQLi in User-Agent', '/v1/models', { 'user-agent': "Mozilla' UNION SELECT password FROM users --" }],
    ['XSS in User-Agent', '/v1/models', { 'user-agent': '<script>alert(1)</script>' }],
    ['SQLi in a cookie', '/v1/models', { cookie: "session=1' OR '1'='1" }],
    ['path traversal in a header', '/v1/models', { 'x-file': '../../../etc/passwd' }],
  ];

  for (const [name, path, headers] of PROBES)
    it(`refuses ${name} before Gatehouse`, async () => {
      const before = reachedGatehouse();
      const r = await send(path, { headers: { authorization: `Bearer ${tg.key}`, ...headers } });
      // 403 from CRS; nginx's own URI normalisation refuses a path climbing above the root (400) first.
      expect(path.startsWith('/v1/%2e') ? [400, 403] : [403]).toContain(r.status);
      expect(r.body).not.toContain('GH_ERR_');
      // Gatehouse logged nothing: the request never reached it.
      await new Promise((res) => setTimeout(res, 50));
      expect(reachedGatehouse()).toBe(before);
    });

  it('refuses CRS probes in non-prompt JSON fields', async () => {
    const before = reachedGatehouse();
    expect((await chat('hi', { user: '<script>alert(1)</script>' })).status).toBe(403);
    expect((await chat('hi', { model: "demo' OR 1=1 --" })).status).toBe(403);
    expect(reachedGatehouse()).toBe(before);
  });

  it('lets a prompt discussing SQL injection, XSS and paths through to Gatehouse', async () => {
    const prompts: unknown[] = [
      "Why is SELECT * FROM users WHERE name = '' OR '1'='1' -- dangerous, and how do prepared statements fix it?",
      [
        {
          type: 'text',
          text: 'Review this template: <script>alert(document.cookie)</script> and <img src=x onerror=alert(1)>',
        },
      ],
      'My log shows GET /static/../../../etc/passwd; what was the attacker trying?',
    ];
    for (const p of prompts) {
      const r = await chat(p);
      expect(r.status, r.body).toBe(200);
      expect(JSON.parse(r.body).choices[0].message.content).toBeTypeOf('string');
    }
  });

  it('replaces a client X-Forwarded-For with the address it saw; Gatehouse records both', async () => {
    const before = reachedGatehouse();
    await send('/v1/models', {
      headers: { authorization: `Bearer ${tg.key}`, 'x-forwarded-for': '6.6.6.6' },
    });
    await eventually(() => expect(reachedGatehouse()).toBe(before + 1));
    const line = tg.logs.requests().at(-1);
    expect(line?.client_address).toBe('127.0.0.1');
  });

  it('gatehouse audit sees the edge: WAF present, TLS and HSTS at the edge pass', async () => {
    const ids = [
      'GW-WAF.edge-present',
      'CL-05.tls-legacy-refused',
      'CL-05.tls-modern-accepted',
      'CL-05.weak-ciphers-refused',
      'CL-05.hsts',
    ];
    const report = await runAudit(
      auditInput({ config: null, target: new URL(waf.url), tls: { ca: pki.caCert, insecure: false } }),
      LIVE_CHECKS.filter((c) => ids.includes(c.id)),
    );
    expect(report.results.map((r) => `${r.id}: ${r.verdict}`).sort()).toEqual(
      ids.map((id) => `${id}: pass`).sort(),
    );
    expect(waf.auditLog()).toMatch(/942100|941100|930100/);
  });
});
