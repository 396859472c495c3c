import { request } from 'node:https';
import { type ConnectionOptions, connect, type SecureVersion } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRoute, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { createPki, type Pki } from '../../helpers/pki.js';

let pki: Pki;
let plain: TestGateway;
let mtls: TestGateway;
let optional: TestGateway;
const port = (g: TestGateway) => Number(new URL(g.gw.url).port);

function handshake(g: TestGateway, opts: Partial<ConnectionOptions>): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(
      { host: '127.0.0.1', port: port(g), servername: 'localhost', ca: pki.read(pki.caCert), ...opts },
      () => {
        const v = s.getProtocol() ?? '';
        // TLS 1.3 reports client-certificate refusals after the handshake: read once to surface them.
        s.once('data', () => {});
        setTimeout(() => {
          s.end();
          resolve(v);
        }, 50);
      },
    );
    s.on('error', reject);
  });
}

function get(
  g: TestGateway,
  path: string,
  opts: { cert?: string; key?: string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: port(g),
        path,
        method: 'GET',
        servername: 'localhost',
        ca: pki.read(pki.caCert),
        headers: g.authHeaders,
        ...opts,
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  pki = createPki();
  const tls = (clientAuth: 'none' | 'required' | 'optional') => ({
    cert: pki.serverCert,
    key: pki.serverKey,
    ...(clientAuth === 'none' ? {} : { clientCa: pki.clientCa }),
    clientAuth,
  });
  plain = await startTestGateway({
    config: (u) => ({ server: { tls: tls('none'), allowPlaintext: false }, routes: [demoRoute(u)] }),
  });
  mtls = await startTestGateway({
    config: (u) => ({ server: { tls: tls('required'), allowPlaintext: false }, routes: [demoRoute(u)] }),
  });
  optional = await startTestGateway({
    config: (u) => ({ server: { tls: tls('optional'), allowPlaintext: false }, routes: [demoRoute(u)] }),
  });
});
afterAll(async () => {
  await Promise.all([plain?.close(), mtls?.close(), optional?.close()]);
});

describe('TLS listener', () => {
  it.each<[SecureVersion]>([['TLSv1'], ['TLSv1.1']])('refuses %s', async (v) => {
    // SECLEVEL=0 lets this client offer the old protocol, so the refusal is the server's.
    await expect(
      handshake(plain, { minVersion: v, maxVersion: v, ciphers: 'DEFAULT@SECLEVEL=0' }),
    ).rejects.toThrow(/protocol|version|alert/i);
  });

  it.each<[SecureVersion]>([['TLSv1.2'], ['TLSv1.3']])('accepts %s', async (v) => {
    await expect(handshake(plain, { minVersion: v, maxVersion: v })).resolves.toBe(v);
  });

  it('sends HSTS on every response, errors included', async () => {
    const ok = await get(plain, '/v1/models');
    expect(ok.status).toBe(200);
    expect(ok.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
    const nf = await get(plain, '/nope');
    expect(nf.status).toBe(404);
    expect(nf.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
  });
});

describe('mTLS', () => {
  it('accepts a client certificate from the configured CA', async () => {
    const c = pki.issueClient('svc-a');
    const r = await get(mtls, '/v1/models', { cert: c.certPem, key: c.keyPem });
    expect(r.status).toBe(200);
  });

  it('refuses a client without a certificate', async () => {
    await expect(get(mtls, '/v1/models')).rejects.toThrow();
  });

  it('refuses a certificate from another CA', async () => {
    const c = pki.issueClient('intruder', { ca: 'other' });
    await expect(get(mtls, '/v1/models', { cert: c.certPem, key: c.keyPem })).rejects.toThrow();
  });

  it('optional mode serves clients with and without a certificate', async () => {
    const anon = await get(optional, '/v1/models');
    expect(anon.status).toBe(200);
    const c = pki.issueClient('intruder2', { ca: 'other' });
    const r = await get(optional, '/v1/models', { cert: c.certPem, key: c.keyPem });
    expect(r.status).toBe(200);
  });
});
