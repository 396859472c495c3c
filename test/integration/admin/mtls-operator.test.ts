import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/gateway.js';
import { createPki, type Pki } from '../../helpers/pki.js';
import { type AdminFixture, startAdminFixture } from './helpers.js';

/**
 * Operators proving who they are with a client certificate, end to end: the admin listener serves
 * TLS with `clientAuth: required` against the operators' CA (certificates made per run with the
 * openssl CLI). No certificate, or one from another CA, fails the handshake; a certificate of the
 * right CA that no `admin.certificates` entry maps is 401; mapped ones (by fingerprint, subject CN
 * and SAN) act with their role, and the change is audited as `via: mtls`.
 */
let pki: Pki;
let f: AdminFixture;
type Client = ReturnType<Pki['issueClient']>;
let oncall: Client;
let auditor: Client;
let lead: Client;
let unmapped: Client;
let foreign: Client;

beforeAll(async () => {
  pki = createPki();
  oncall = pki.issueClient('oncall-1');
  auditor = pki.issueClient('auditor-1', { uri: 'spiffe://ops.example/auditor' });
  lead = pki.issueClient('lead-1');
  unmapped = pki.issueClient('intruder');
  // Same CN as a mapped operator, signed by a CA the listener does not trust.
  foreign = pki.issueClient('oncall-1-foreign', { ca: 'other' });
  const leadFp = new X509Certificate(lead.certPem).fingerprint256;
  f = await startAdminFixture(() => ({
    admin: {
      enabled: true,
      port: 0,
      tls: {
        cert: pki.serverCert,
        key: pki.serverKey,
        clientCa: pki.clientCa,
        clientAuth: 'required',
      },
      certificates: [
        { operator: 'oncall', roles: ['operator'], subjects: ['oncall-1', 'oncall-1-foreign'] },
        { operator: 'auditor', roles: ['viewer'], sans: ['URI:spiffe://ops.example/auditor'] },
        { operator: 'lead', roles: ['approver'], fingerprints: [leadFp] },
      ],
    },
  }));
});
afterAll(async () => {
  await f?.close();
});

type Answer = { status: number; body: { error?: { code: string } } & Record<string, unknown> };

/** One HTTPS call to the admin listener, verifying its certificate, with an optional client certificate. */
function call(client: Client | null, method: string, path: string, body?: unknown): Promise<Answer> {
  const url = new URL(path, f.admin);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: url.port,
        path: url.pathname,
        method,
        servername: 'localhost',
        ca: pki.read(pki.caCert),
        agent: false,
        headers:
          body === undefined
            ? {}
            : { 'content-type': 'application/json', 'x-gatehouse-reason': 'INC-5 mTLS operator change' },
        ...(client !== null && { cert: client.certPem, key: client.keyPem }),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('operators over mTLS on the admin listener', () => {
  it('serves TLS only, with the listener certificate the operators trust', () => {
    expect(f.admin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('refuses the handshake without a client certificate or with one of another CA', async () => {
    await expect(call(null, 'GET', '/admin/v1/consumers')).rejects.toThrow();
    await expect(call(foreign, 'GET', '/admin/v1/consumers')).rejects.toThrow();
  });

  it('refuses a certificate of the operators’ CA that maps to no operator', async () => {
    const r = await call(unmapped, 'GET', '/admin/v1/consumers');
    expect(r.status).toBe(401);
    expect(r.body.error?.code).toBe('GH_ERR_ADMIN_AUTH_INVALID');
  });

  it('acts with the role mapped from the certificate (subject, SAN, fingerprint)', async () => {
    // viewer (SAN): reads, cannot change.
    expect((await call(auditor, 'GET', '/admin/v1/consumers')).status).toBe(200);
    const denied = await call(auditor, 'PUT', '/admin/v1/consumers/acme/enabled', { enabled: false });
    expect(denied.status).toBe(403);
    expect(denied.body.error?.code).toBe('GH_ERR_ADMIN_FORBIDDEN');

    // operator (subject CN): the change applies, and the data plane enforces it.
    const r = await call(oncall, 'PUT', '/admin/v1/consumers/acme/enabled', { enabled: false });
    expect(r.status).toBe(200);
    const acme = await call(lead, 'GET', '/admin/v1/consumers/acme');
    expect(acme.status).toBe(200);
    expect(acme.body.enabled).toBe(false);
    await expect(
      f.t
        .client({ apiKey: f.dataKey })
        .chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({ status: 403, code: 'GH_ERR_AUTH_CONSUMER_DISABLED' });

    // approver (fingerprint) re-enables; both changes are audited with the certificate's operator.
    expect((await call(lead, 'PUT', '/admin/v1/consumers/acme/enabled', { enabled: true })).status).toBe(200);
    await eventually(() => {
      const applied = readFileSync(f.auditFile, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l))
        .filter((e) => e.event.action === 'admin.action' && e.gatehouse.admin.outcome === 'applied')
        .map((e) => [e.gatehouse.admin.operator, e.gatehouse.admin.via, e.gatehouse.admin.action]);
      expect(applied).toEqual([
        ['oncall', 'mtls', 'consumer.enable'],
        ['lead', 'mtls', 'consumer.enable'],
      ]);
    }, 10_000);
  });
});
