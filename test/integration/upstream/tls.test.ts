import { createHash, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MODEL_ID } from '../../../src/demo/upstream.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { createPki, type Pki } from '../../helpers/pki.js';
import { startTlsUpstream, type TlsUpstream } from './tls-fixture.js';

let pki: Pki;
let up: TlsUpstream;
/** The same deployment capped at TLS 1.2, where a refused client certificate is a handshake alert. */
let up12: TlsUpstream;
let gw: TestGateway;
let client: OpenAI;
/** The TLS fixture's demo model also served on a Unix socket (a co-located deployment). */
let socketServer: Server;

const spki = (pem: string) =>
  `sha256/${createHash('sha256')
    .update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64')}`;

async function outcome(model: string): Promise<{ status: number; code: unknown }> {
  try {
    const r = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: `over tls to ${model}` }],
      max_tokens: 8,
    });
    return { status: 200, code: r.model };
  } catch (err) {
    if (err instanceof OpenAI.APIError) return { status: err.status ?? 0, code: err.code };
    throw err;
  }
}

beforeAll(async () => {
  pki = createPki();
  up = await startTlsUpstream(pki);
  up12 = await startTlsUpstream(pki, { maxVersion: 'TLSv1.2' });
  const gwCert = pki.issueClient('gatehouse-upstream-client');
  const route = (alias: string, tls: Record<string, unknown> | undefined, url = up.url) => ({
    alias,
    upstream: { provider: 'vllm' as const, url, model: DEMO_MODEL_ID, ...(tls ? { tls } : {}) },
  });
  const socketPath = join(pki.dir, 'vllm.sock');
  socketServer = createServer((req, res) => up.demo.server.emit('request', req, res));
  await new Promise<void>((r) => socketServer.listen(socketPath, r));
  const mtls = { ca: pki.caCert, cert: gwCert.cert, key: `file:${gwCert.key}`, serverName: 'localhost' };
  gw = await startTestGateway({
    config: () => ({
      routes: [
        route('good', mtls),
        route('pinned-leaf', { ...mtls, pins: [spki(pki.read(pki.serverCert))] }),
        route('pinned-ca', { ...mtls, pins: [new X509Certificate(pki.read(pki.caCert)).fingerprint256] }),
        route('wrong-name', { ...mtls, serverName: 'model.other.example' }),
        route('wrong-pin', { ...mtls, pins: [spki(pki.read(pki.otherCa))] }),
        route('no-client-cert', { ca: pki.caCert, serverName: 'localhost' }),
        route('no-client-cert-12', { ca: pki.caCert, serverName: 'localhost' }, up12.url),
        route('good-12', mtls, up12.url),
        route('unknown-ca', undefined),
        {
          alias: 'socket',
          upstream: {
            provider: 'vllm',
            url: 'http://vllm.local/v1',
            socketPath,
            model: DEMO_MODEL_ID,
            zone2Colocated: true,
          },
        },
        // A dateless id on a tier 1 route: allowed, with a warning at start.
        { ...route('floaty', mtls), upstream: { ...route('floaty', mtls).upstream, model: 'gpt-4o' } },
      ],
    }),
  });
  client = gw.client();
});
afterAll(async () => {
  await gw?.close();
  await up?.close();
  await up12?.close();
  await new Promise((r) => socketServer?.close(r));
});

describe('upstream TLS (real CA, an upstream that requires a client certificate)', () => {
  it('mutual TLS with the configured CA, client certificate and server name answers', async () => {
    const before = up.demo.received.length;
    expect(await outcome('good')).toEqual({ status: 200, code: 'good' });
    expect(up.demo.received.length).toBe(before + 1);
    expect(up.demo.received.at(-1)!.body.model).toBe(DEMO_MODEL_ID);
  });

  it('a pin on the server key or on its CA certificate is accepted on top of normal verification', async () => {
    expect(await outcome('pinned-leaf')).toEqual({ status: 200, code: 'pinned-leaf' });
    expect(await outcome('pinned-ca')).toEqual({ status: 200, code: 'pinned-ca' });
  });

  it.each([
    ['a server name the certificate does not carry', 'wrong-name'],
    ['a server certificate that matches none of the pins', 'wrong-pin'],
    ['a server certificate from a CA the route does not trust', 'unknown-ca'],
  ])('refuses %s before any request is sent', async (_n, alias) => {
    const before = up.demo.received.length;
    expect(await outcome(alias)).toEqual({ status: 502, code: 'GH_ERR_UPSTREAM_TLS' });
    expect(up.demo.received.length).toBe(before);
  });

  it('without a client certificate the upstream refuses: a coded upstream error, nothing delivered', async () => {
    // TLS 1.2: the server's handshake alert fails the connection.
    const before12 = up12.demo.received.length;
    expect(await outcome('good-12')).toEqual({ status: 200, code: 'good-12' });
    expect(await outcome('no-client-cert-12')).toEqual({ status: 502, code: 'GH_ERR_UPSTREAM_TLS' });
    expect(up12.demo.received.length).toBe(before12 + 1);
    expect(up12.refused.length).toBeGreaterThan(0);
    // TLS 1.3: the client finishes its handshake first and the refusal arrives as a closed connection.
    const before = up.demo.received.length;
    expect(await outcome('no-client-cert')).toEqual({ status: 502, code: 'GH_ERR_UPSTREAM_RESET' });
    expect(up.demo.received.length).toBe(before);
    expect(up.refused.length).toBeGreaterThan(0);
  });

  it('a co-located deployment on a Unix socket', async () => {
    expect(await outcome('socket')).toEqual({ status: 200, code: 'socket' });
    expect(up.demo.received.at(-1)!.headers.host).toBe('vllm.local');
  });

  it('a tier 1 route with a dateless model id starts, with a warning in the log', async () => {
    const warning = gw.logs.lines.find((l) => l.event === 'config_warning');
    expect(warning?.level).toBe(40);
    expect(String(warning?.msg)).toMatch(/"gpt-4o" is a dateless OpenAI alias .*tier 1: allowed, not pinned/);
    expect(await outcome('floaty')).toEqual({ status: 200, code: 'floaty' });
    expect(up.demo.received.at(-1)!.body.model).toBe('gpt-4o');
  });

  it('logs which check failed for the operator, never to the client', async () => {
    await outcome('wrong-pin');
    const line = gw.logs.lines.find((l) => l.msg === 'upstream TLS failed' && l.route === 'wrong-pin');
    expect(String(line?.reason)).toMatch(/matches none of the configured pins/);
  });
});
