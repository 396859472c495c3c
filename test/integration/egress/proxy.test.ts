import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, connect as tlsConnect } from 'node:tls';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EgressProcess, startEgress } from '../../../src/boot/egress.js';
import { parseConfig } from '../../../src/config/load.js';
import { type DnsStub, startDnsStub } from '../../helpers/dns-stub.js';
import { eventually } from '../../helpers/gateway.js';
import { createPki } from '../../helpers/pki.js';

/*
 * The proxy in front of destinations on 127.0.0.2 (allowed for the agent identity through
 * allowNetworks) with a DNS stub that answers the test names — including names that resolve to
 * loopback, the metadata address, an IPv4-mapped IPv6 loopback and a mix of public and private.
 */
const SECRET = 'agent-proxy-secret-0123456789';
const LIMITED = 'limited-proxy-secret-0123456789';

let dns: DnsStub;
let proxy: EgressProcess;
let echo: Server;
let echoPort: number;
let tlsTarget: Server;
let tlsPort: number;
let web: ReturnType<typeof createHttpServer>;
let webPort: number;
const seenByWeb: Array<Record<string, string | string[] | undefined>> = [];
let auditFile: string;
const pki = createPki();

const listen = (s: Server | ReturnType<typeof createHttpServer>, host: string) =>
  new Promise<number>((r) => s.listen(0, host, () => r((s.address() as AddressInfo).port)));

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** Sends a CONNECT and resolves with the proxy's status line and the socket (open on 200). */
function connectVia(target: string, auth: string | null) {
  return new Promise<{ status: number; head: string; socket: import('node:net').Socket }>(
    (resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: proxy.address.port });
      s.once('error', reject);
      s.once('connect', () => {
        s.write(
          `CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n${auth ? `proxy-authorization: ${auth}\r\n` : ''}\r\n`,
        );
      });
      let buf = '';
      const onData = (c: Buffer) => {
        buf += c.toString('latin1');
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(buf)?.[1]);
        if (status !== 200) {
          // The refusal carries a JSON body after the head: wait for the proxy to close.
          s.once('end', () => resolve({ status, head: buf, socket: s }));
          s.resume();
          return;
        }
        s.off('data', onData);
        resolve({ status, head: buf, socket: s });
      };
      s.on('data', onData);
    },
  );
}

interface EgressLine {
  event: { action: string; outcome: string };
  user: { id: string | null };
  gatehouse: {
    owasp: { asi: string[] };
    egress: {
      verdict: string;
      reason: string | null;
      destination: { host: string; port: number; address: string | null };
      bytes: { up: number; down: number };
    };
  };
}

const auditLines = (): EgressLine[] =>
  readFileSync(auditFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as EgressLine)
    .filter((e) => e.event.action === 'egress.connection');

beforeAll(async () => {
  dns = await startDnsStub({
    'allowed.test': { A: ['127.0.0.2'] },
    'tls.allowed.test': { A: ['127.0.0.2'] },
    'api.svc.test': { A: ['127.0.0.2'] },
    'rebind.test': { A: ['127.0.0.1'] },
    'metadata.test': { A: ['169.254.169.254'] },
    'mapped.test': { AAAA: ['::ffff:127.0.0.1'] },
    'mixed.test': { A: ['127.0.0.2', '10.0.0.7'] },
    'unlisted.test': { A: ['127.0.0.2'] },
  });
  echo = createServer((s) => s.pipe(s));
  echoPort = await listen(echo, '127.0.0.2');
  tlsTarget = createTlsServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) }, (s) =>
    s.end('hello over tls\n'),
  );
  tlsPort = await listen(tlsTarget, '127.0.0.2');
  web = createHttpServer((req, res) => {
    seenByWeb.push(req.headers);
    res.setHeader('content-type', 'text/plain');
    res.end(`web saw ${req.url}`);
  });
  webPort = await listen(web, '127.0.0.2');
  const dir = mkdtempSync(join(tmpdir(), 'gh-egress-'));
  auditFile = join(dir, 'audit.ndjson');
  process.env.GH_TEST_EGRESS_AGENT = SECRET;
  process.env.GH_TEST_EGRESS_LIMITED = LIMITED;
  const config = parseConfig({
    telemetry: { audit: { sinks: [{ kind: 'file', path: auditFile }] } },
    egress: {
      port: 0,
      dnsServers: [dns.server],
      identities: [
        {
          id: 'agent',
          credential: '${GH_TEST_EGRESS_AGENT}',
          allowNetworks: ['127.0.0.2/32'],
          allow: [
            { host: 'allowed.test', ports: [echoPort] },
            { host: '*.allowed.test', ports: [tlsPort] },
            { host: 'rebind.test', ports: [echoPort] },
            { host: 'metadata.test', ports: [80] },
            { host: 'mapped.test', ports: [echoPort] },
            { host: 'mixed.test', ports: [echoPort] },
            { host: '127.0.0.2', ports: [echoPort] },
            { host: '*.svc.test', ports: [webPort], paths: ['/ok/'] },
          ],
        },
        {
          id: 'limited',
          credential: '${GH_TEST_EGRESS_LIMITED}',
          allowNetworks: ['127.0.0.2/32'],
          allow: [{ host: 'allowed.test', ports: [echoPort] }],
          limits: { connectionsPerMinute: 2 },
        },
      ],
    },
  });
  proxy = await startEgress(config, { logger: pino({ level: 'silent' }) });
});

afterAll(async () => {
  await proxy?.close();
  await dns?.close();
  for (const s of [echo, tlsTarget, web]) await new Promise((r) => s?.close(r));
});

describe('egress proxy: CONNECT', () => {
  it('tunnels to an allowed host and counts the bytes on the audit event', async () => {
    const { status, socket } = await connectVia(`allowed.test:${echoPort}`, basic('agent', SECRET));
    expect(status).toBe(200);
    const back = await new Promise<string>((resolve) => {
      socket.once('data', (c) => resolve(c.toString()));
      socket.write('ping through the tunnel');
    });
    expect(back).toBe('ping through the tunnel');
    socket.end();
    await eventually(() => {
      const ev = auditLines().find(
        (e) =>
          e.gatehouse.egress.destination.host === 'allowed.test' && e.gatehouse.egress.verdict === 'allow',
      );
      expect(ev).toBeDefined();
      expect(ev?.user.id).toBe('agent');
      expect(ev?.gatehouse.egress.destination.address).toBe('127.0.0.2');
      expect(ev?.gatehouse.egress.bytes.up).toBe('ping through the tunnel'.length);
      expect(ev?.gatehouse.egress.bytes.down).toBe('ping through the tunnel'.length);
    });
  });

  it('carries a real TLS handshake end to end (no interception)', async () => {
    const { status, socket } = await connectVia(`tls.allowed.test:${tlsPort}`, basic('agent', SECRET));
    expect(status).toBe(200);
    const text = await new Promise<string>((resolve, reject) => {
      const t = tlsConnect({ socket, servername: 'localhost', ca: readFileSync(pki.caCert) });
      let out = '';
      t.on('data', (c) => {
        out += c.toString();
      });
      t.once('end', () => resolve(out));
      t.once('error', reject);
    });
    expect(text).toBe('hello over tls\n');
  });

  it('asks for credentials (407) and refuses wrong ones', async () => {
    const none = await connectVia(`allowed.test:${echoPort}`, null);
    expect(none.status).toBe(407);
    expect(none.head).toMatch(/proxy-authenticate: Basic/i);
    expect(none.head).toContain('GH_ERR_EGRESS_AUTH_REQUIRED');
    const wrong = await connectVia(`allowed.test:${echoPort}`, basic('agent', 'not-the-secret'));
    expect(wrong.status).toBe(407);
  });

  it.each([
    ['a host not on the list', () => `unlisted.test:${echoPort}`, 'host_not_allowed'],
    ['a port not on the list', () => 'allowed.test:22', 'port_not_allowed'],
    ['a name that resolves to loopback', () => `rebind.test:${echoPort}`, 'denied_address'],
    ['a name that resolves to the metadata address', () => 'metadata.test:80', 'denied_address'],
    ['a name that resolves to IPv4-mapped IPv6 loopback', () => `mapped.test:${echoPort}`, 'denied_address'],
    ['a name with one private answer among allowed ones', () => `mixed.test:${echoPort}`, 'denied_address'],
    ['an IP literal', () => `127.0.0.2:${echoPort}`, 'ip_literal'],
    ['a decimal IP literal', () => `2130706434:${echoPort}`, 'ip_literal'],
    ['an IPv6 literal', () => `[::ffff:127.0.0.2]:${echoPort}`, 'ip_literal'],
  ])('refuses %s with a 403 and an audit event', async (_what, target, reason) => {
    const t = target();
    const r = await connectVia(t, basic('agent', SECRET));
    expect(r.status).toBe(403);
    expect(r.head).toContain('GH_ERR_EGRESS_DENIED');
    await eventually(() => {
      const ev = auditLines().find(
        (e) =>
          e.gatehouse.egress.verdict === 'deny' &&
          e.gatehouse.egress.reason === reason &&
          `${e.gatehouse.egress.destination.host}:${e.gatehouse.egress.destination.port}` === t.toLowerCase(),
      );
      expect(ev).toBeDefined();
      expect(ev?.event.outcome).toBe('failure');
      expect(ev?.gatehouse.owasp.asi).toContain('ASI05');
    });
  });

  it('limits connections per minute per identity (429 with retry-after)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await connectVia(`allowed.test:${echoPort}`, basic('limited', LIMITED));
      statuses.push(r.status);
      r.socket.destroy();
    }
    expect(statuses).toEqual([200, 200, 429]);
  });
});

describe('egress proxy: plain HTTP', () => {
  const get = (url: string, auth: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: proxy.address.port,
        path: url,
        headers: { 'proxy-authorization': auth, host: new URL(url).host },
      });
      req.once('error', reject);
      req.once('response', (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.end();
    });

  it('forwards an allowed path without the proxy credentials', async () => {
    const r = await get(`http://api.svc.test:${webPort}/ok/thing?q=1`, basic('agent', SECRET));
    expect(r).toEqual({ status: 200, body: 'web saw /ok/thing?q=1' });
    const seen = seenByWeb.at(-1);
    expect(seen?.['proxy-authorization']).toBeUndefined();
    expect(seen?.host).toBe(`api.svc.test:${webPort}`);
  });

  it('refuses a path outside the prefixes, dot segments included', async () => {
    const before = seenByWeb.length;
    const r1 = await get(`http://api.svc.test:${webPort}/admin`, basic('agent', SECRET));
    const r2 = await get(`http://api.svc.test:${webPort}/ok/../admin`, basic('agent', SECRET));
    const r3 = await get(`http://api.svc.test:${webPort}/ok/%2e%2e/admin`, basic('agent', SECRET));
    for (const r of [r1, r2, r3]) {
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body).error.code).toBe('GH_ERR_EGRESS_DENIED');
    }
    expect(seenByWeb.length).toBe(before);
  });
});
