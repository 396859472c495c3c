import { type Socket, connect as tcp } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRoute, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { createPki, type Pki } from '../../helpers/pki.js';

/**
 * Requests refused by the HTTP parser before the pipeline still get the documented answer, over
 * real sockets: status, JSON body with a stable code and request id, `x-request-id`, HSTS on TLS,
 * `connection: close`, nothing echoed. And a TLS listener cuts handshakes that never finish.
 */
let plain: TestGateway;
let tls: TestGateway;
let pki: Pki;
const MARKER = 'echo-marker-7f3a';

/** Writes raw bytes and resolves with everything the server sent before closing. */
function exchange(s: Socket, payload: string): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('error', () => {});
    s.once('close', () => resolve(out));
    s.write(payload);
  });
}

const plainSocket = (): Promise<Socket> =>
  new Promise((resolve) => {
    const s = tcp(Number(new URL(plain.gw.url).port), '127.0.0.1', () => resolve(s));
  });

function parse(out: string) {
  const i = out.indexOf('\r\n\r\n');
  const head = out.slice(0, i);
  const headers = new Map(
    head
      .split('\r\n')
      .slice(1)
      .map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
  return {
    status: Number(head.split(' ')[1]),
    headers,
    error: JSON.parse(out.slice(i + 4)).error as { code: string; request_id: string; type: string },
  };
}

async function metric(g: TestGateway, sample: string): Promise<number> {
  const text = await (await fetch(`${g.gw.metricsUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

beforeAll(async () => {
  pki = createPki();
  plain = await startTestGateway({
    config: (u) => ({ server: { maxHeaderBytes: 4_096 }, routes: [demoRoute(u)] }),
  });
  tls = await startTestGateway({
    config: (u) => ({
      server: {
        tls: { cert: pki.serverCert, key: pki.serverKey },
        allowPlaintext: false,
        handshakeTimeoutMs: 1_000,
        maxHeaderBytes: 4_096,
      },
      routes: [demoRoute(u)],
    }),
  });
});
afterAll(async () => {
  await Promise.all([plain?.close(), tls?.close()]);
});

const POST = 'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n';

describe('protocol errors in the documented shape', () => {
  it.each([
    [
      'header overflow',
      `${POST}x-big: ${MARKER}${'a'.repeat(8_000)}\r\n\r\n`,
      431,
      'GH_ERR_HEADERS_TOO_LARGE',
    ],
    [
      'bad chunk size',
      `${POST}transfer-encoding: chunked\r\n\r\nzz-${MARKER}\r\nabc\r\n0\r\n\r\n`,
      400,
      'GH_ERR_MALFORMED_HTTP',
    ],
    [
      'smuggling: content-length with transfer-encoding',
      `${POST}content-length: 6\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\nGET /${MARKER} HTTP/1.1\r\n\r\n`,
      400,
      'GH_ERR_MALFORMED_HTTP',
    ],
    [
      'smuggling: duplicate content-length',
      `${POST}content-length: 3\r\ncontent-length: 40\r\n\r\n${MARKER}`,
      400,
      'GH_ERR_MALFORMED_HTTP',
    ],
    ['malformed request line', `GET /${MARKER} HTTP/9.Z\r\n\r\n`, 400, 'GH_ERR_MALFORMED_HTTP'],
  ])('%s', async (_name, payload, status, code) => {
    const before = await metric(plain, `gatehouse_protocol_errors_total{listener="data",code="${code}"}`);
    const out = await exchange(await plainSocket(), payload);
    const r = parse(out);
    expect(r.status).toBe(status);
    expect(r.error.code).toBe(code);
    expect(r.error.type).toBe('invalid_request_error');
    expect(r.error.request_id).toMatch(/^req_[0-9a-f]{24}$/);
    expect(r.headers.get('x-request-id')).toBe(r.error.request_id);
    expect(r.headers.get('connection')).toBe('close');
    expect(r.headers.get('content-type')).toBe('application/json');
    // A plain-HTTP listener sends no HSTS; nothing of the request comes back.
    expect(r.headers.has('strict-transport-security')).toBe(false);
    expect(out).not.toContain(MARKER);
    expect(await metric(plain, `gatehouse_protocol_errors_total{listener="data",code="${code}"}`)).toBe(
      before + 1,
    );
  });

  it('a TLS listener adds HSTS to its protocol errors', async () => {
    const s = tlsConnect({
      host: '127.0.0.1',
      port: Number(new URL(tls.gw.url).port),
      servername: 'localhost',
      ca: pki.read(pki.caCert),
    });
    await new Promise((r) => s.once('secureConnect', r));
    const r = parse(await exchange(s, `${POST}x-big: ${'a'.repeat(8_000)}\r\n\r\n`));
    expect(r.status).toBe(431);
    expect(r.error.code).toBe('GH_ERR_HEADERS_TOO_LARGE');
    expect(r.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
  });
});

describe('TLS handshakes that never finish are cut at handshakeTimeoutMs', () => {
  const port = () => Number(new URL(tls.gw.url).port);
  const closed = (s: Socket) => new Promise<void>((r) => s.once('close', () => r()));

  it('a raw TCP connection that sends nothing', async () => {
    const s = tcp(port(), '127.0.0.1');
    s.on('error', () => {});
    await closed(s);
    expect(s.destroyed).toBe(true);
  }, 10_000);

  it('a partial ClientHello, then one byte at a time', async () => {
    const s = tcp(port(), '127.0.0.1');
    s.on('error', () => {});
    // A TLS record header announcing 512 bytes of handshake, and the start of a ClientHello.
    s.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]));
    const drip = setInterval(() => s.destroyed || s.write(Buffer.from([0])), 200);
    await closed(s);
    clearInterval(drip);
    expect(
      await metric(tls, 'gatehouse_tls_handshake_errors_total{listener="data",reason="handshake_timeout"}'),
    ).toBeGreaterThanOrEqual(1);
  }, 10_000);
});
