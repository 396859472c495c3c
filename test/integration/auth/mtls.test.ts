import { X509Certificate } from 'node:crypto';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSubjectAltName } from '../../../src/edge/auth/mtls.js';
import type { AuthService } from '../../../src/edge/auth/service.js';
import { createPki, type Pki } from '../../helpers/pki.js';
import { makeService } from './fixtures.js';

let pki: Pki;
let server: Server;
let svc: AuthService;
let port: number;
type Client = ReturnType<Pki['issueClient']>;
let alpha: Client;
let alphaTwin: Client;
let beta: Client;
let stranger: Client;
let foreign: Client;

/** One TLS request; the server answers with the identity (or error code) derived from the verified certificate. */
function call(
  client: Client | null,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        servername: 'localhost',
        ca: pki.read(pki.caCert),
        headers,
        ...(client ? { cert: client.certPem, key: client.keyPem } : {}),
      },
      (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(b) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  pki = createPki();
  alpha = pki.issueClient('svc-alpha', { uri: 'spiffe://example.org/ns/prod/sa/alpha' });
  alphaTwin = pki.issueClient('svc-alpha-twin', { uri: 'spiffe://example.org/ns/prod/sa/alpha' });
  beta = pki.issueClient('svc-beta');
  stranger = pki.issueClient('svc-unknown');
  foreign = pki.issueClient('svc-beta-foreign', { ca: 'other' });
  const pin = new X509Certificate(alpha.certPem).fingerprint256;
  ({ svc } = await makeService({
    consumers: [
      {
        name: 'alpha',
        tier: 3,
        mtls: { sans: ['URI:spiffe://example.org/ns/prod/sa/alpha'], fingerprints: [pin] },
      },
      { name: 'beta', mtls: { subjects: ['svc-beta', 'svc-beta-foreign'] } },
    ],
    downstream: { mode: 'none' },
  }));
  server = createServer(
    {
      cert: pki.read(pki.serverCert),
      key: pki.read(pki.serverKey),
      ca: pki.read(pki.clientCa),
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      // As the gateway's runner does: only a certificate that chained to the client CA counts.
      const peer = socket.authorized ? socket.getPeerCertificate() : null;
      svc
        .authenticate({
          headers: req.headers,
          peerCertificate: peer,
          sourceIp: '127.0.0.1',
          userAgent: 't',
          events: [],
        })
        .then(
          (r) => res.writeHead(200).end(JSON.stringify(r.identity)),
          (e: { code: string; status: number }) =>
            res.writeHead(e.status).end(JSON.stringify({ code: e.code })),
        );
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await svc?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

describe('mTLS identity', () => {
  it('maps a SPIFFE URI SAN to its consumer (pinned fingerprint matches)', async () => {
    const r = await call(alpha);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ consumer: 'alpha', method: 'mtls', tier: 3 });
  });

  it('maps a subject CN to its consumer', async () => {
    expect((await call(beta)).body).toMatchObject({ consumer: 'beta', method: 'mtls' });
  });

  it('pinning: a different certificate with the same SAN, from the same CA, is refused', async () => {
    expect(await call(alphaTwin)).toEqual({ status: 403, body: { code: 'GH_ERR_AUTH_CERT_NOT_PINNED' } });
  });

  it('a verified certificate that maps to no consumer is an unknown consumer', async () => {
    expect(await call(stranger)).toEqual({ status: 403, body: { code: 'GH_ERR_AUTH_UNKNOWN_CONSUMER' } });
  });

  it('a certificate from another CA is no identity at all (the CN alone proves nothing)', async () => {
    expect(await call(foreign)).toEqual({ status: 401, body: { code: 'GH_ERR_AUTH_MISSING' } });
    expect(await call(null)).toEqual({ status: 401, body: { code: 'GH_ERR_AUTH_MISSING' } });
  });

  it('parses node’s SAN text, quoted values included', () => {
    expect(parseSubjectAltName('DNS:a.example, URI:spiffe://td/ns/x, IP Address:127.0.0.1')).toEqual([
      'DNS:a.example',
      'URI:spiffe://td/ns/x',
      'IP Address:127.0.0.1',
    ]);
    expect(parseSubjectAltName('URI:"spiffe://td/a,b", DNS:x')).toEqual(['URI:spiffe://td/a,b', 'DNS:x']);
    expect(parseSubjectAltName(undefined)).toEqual([]);
  });
});
