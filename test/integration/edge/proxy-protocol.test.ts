import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { parseProxyHeader } from '../../../src/http/proxy-protocol.js';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { createPki } from '../../helpers/pki.js';

/**
 * PROXY protocol v2 behind a TCP-mode balancer (TLS passthrough): the header names the client only
 * on a connection from a trusted proxy, where it is required; anyone else cannot name themselves.
 */
const SIG = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

/** A v2 header: PROXY over TCP4 (or LOCAL), with an optional TLV after the addresses. */
function v2(src: string | 'local', tlv = Buffer.alloc(0)): Buffer {
  if (src === 'local') return Buffer.concat([SIG, Buffer.from([0x20, 0x00, 0, 0])]);
  const addrs = Buffer.alloc(12);
  for (const [i, o] of [...src.split('.').map(Number), 127, 0, 0, 1].entries()) addrs.writeUInt8(o, i);
  addrs.writeUInt16BE(51_000, 8);
  addrs.writeUInt16BE(443, 10);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(12 + tlv.length);
  return Buffer.concat([SIG, Buffer.from([0x21, 0x11]), len, addrs, tlv]);
}

const GET_BAD_KEY =
  'GET /v1/models HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ghk_wrongwrongwrong\r\nConnection: close\r\n\r\n';

/** Writes `bytes` on a fresh TCP connection and reads until the server closes it. */
function exchange(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const s: Socket = netConnect(port, '127.0.0.1', () => s.write(bytes));
    let out = '';
    s.on('data', (d: Buffer) => {
      out += d.toString('latin1');
    });
    s.on('error', () => {});
    s.on('close', () => resolve(out));
  });
}

let tg: TestGateway | undefined;
let auditFile = '';
afterEach(async () => {
  await tg?.close();
  tg = undefined;
});

const sources = (): string[] =>
  existsSync(auditFile)
    ? readFileSync(auditFile, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { event: { action: string }; source: { ip: string } })
        .filter((e) => e.event.action === 'gen_ai.request')
        .map((e) => e.source.ip)
    : [];

async function start(trusted: string[], server: Record<string, unknown> = {}): Promise<TestGateway> {
  auditFile = join(mkdtempSync(join(tmpdir(), 'gh-ppv2-')), 'audit.ndjson');
  tg = await startTestGateway({
    config: (u) => ({
      routes: [
        {
          alias: 'demo',
          upstream: { provider: 'openai', url: u, model: 'demo-model-2024-01-01', zone2Colocated: true },
        },
      ],
      server: { headersTimeoutMs: 2_000, ...server },
      proxy: { trusted, protocol: 'v2' },
      telemetry: { audit: { sinks: [{ kind: 'file', path: auditFile }] } },
      auth: { consumers: [] },
    }),
  });
  return tg;
}

const portOf = (g: TestGateway) => Number(new URL(g.gw.url).port);

describe('PROXY protocol v2', () => {
  it('from a trusted balancer, the header names the client; the request bytes after it are served', async () => {
    const g = await start(['127.0.0.1']);
    // Header, request and a TLV (PP2_TYPE_AUTHORITY) in one write, as a balancer sends them.
    const tlv = Buffer.concat([Buffer.from([0x02, 0x00, 0x02]), Buffer.from('gw')]);
    const res = await exchange(portOf(g), Buffer.concat([v2('203.0.113.7', tlv), Buffer.from(GET_BAD_KEY)]));
    expect(res).toMatch(/^HTTP\/1\.1 401/);
    const local = await exchange(portOf(g), Buffer.concat([v2('local'), Buffer.from(GET_BAD_KEY)]));
    expect(local).toMatch(/^HTTP\/1\.1 401/);
    await eventually(() => expect(sources()).toEqual(['203.0.113.7', '127.0.0.1']));
  });

  it('a trusted peer that sends no header, or a broken one, is cut off, not served as itself', async () => {
    const g = await start(['127.0.0.1']);
    expect(await exchange(portOf(g), Buffer.from(GET_BAD_KEY))).toBe('');
    const badVersion = v2('203.0.113.7');
    badVersion[12] = 0x11;
    expect(await exchange(portOf(g), Buffer.concat([badVersion, Buffer.from(GET_BAD_KEY)]))).toBe('');
    // Only the signature arrives, then nothing: the header timeout closes it.
    expect(await exchange(portOf(g), SIG)).toBe('');
    const metrics = await (await fetch(`${g.gw.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/code="proxy_protocol_missing"/);
    expect(metrics).toMatch(/code="proxy_protocol_version"/);
    expect(metrics).toMatch(/code="proxy_protocol_timeout"/);
    expect(sources()).toEqual([]);
  });

  it('from an untrusted peer no header is read: a client cannot name its own address', async () => {
    const g = await start(['10.9.9.9']);
    const spoof = await exchange(portOf(g), Buffer.concat([v2('203.0.113.7'), Buffer.from(GET_BAD_KEY)]));
    expect(spoof).toMatch(/^HTTP\/1\.1 400/);
    expect(await exchange(portOf(g), Buffer.from(GET_BAD_KEY))).toMatch(/^HTTP\/1\.1 401/);
    await eventually(() => expect(sources()).toEqual(['127.0.0.1']));
  });

  it('TLS passthrough: the header precedes a real TLS handshake, which the gateway terminates', async () => {
    const pki = createPki();
    const g = await start(['127.0.0.1'], {
      tls: { cert: pki.serverCert, key: pki.serverKey },
      allowPlaintext: false,
    });
    const res = await new Promise<string>((resolve, reject) => {
      const raw = netConnect(portOf(g), '127.0.0.1', () => {
        raw.write(v2('198.51.100.23'));
        const s = tlsConnect({ socket: raw, servername: 'localhost', ca: pki.read(pki.caCert) }, () =>
          s.write(GET_BAD_KEY),
        );
        let out = '';
        s.on('data', (d: Buffer) => {
          out += d.toString('latin1');
        });
        s.on('error', reject);
        s.on('close', () => resolve(out));
      });
    });
    expect(res).toMatch(/^HTTP\/1\.1 401/);
    await eventually(() => expect(sources()).toEqual(['198.51.100.23']));
  });
});

describe('parseProxyHeader', () => {
  const header = (fam: number, body: Buffer, verCmd = 0x21) => {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(body.length);
    return Buffer.concat([SIG, Buffer.from([verCmd, fam]), len, body]);
  };
  it('reads IPv6 (compressed as Node prints peers) and v4-mapped sources', () => {
    const v6 = Buffer.alloc(36);
    Buffer.from('20010db8000000000000000000000001', 'hex').copy(v6, 0);
    v6.writeUInt16BE(4242, 32);
    expect(parseProxyHeader(header(0x21, v6))).toEqual({ kind: 'proxy', address: '2001:db8::1', port: 4242 });
    const mapped = Buffer.alloc(36);
    Buffer.from('00000000000000000000ffffc6336417', 'hex').copy(mapped, 0);
    expect(parseProxyHeader(header(0x21, mapped))).toMatchObject({ address: '198.51.100.23' });
  });
  it('refuses UDP, short address blocks, unknown commands and other versions', () => {
    expect(() => parseProxyHeader(header(0x12, Buffer.alloc(12)))).toThrow(/family/);
    expect(() => parseProxyHeader(header(0x11, Buffer.alloc(8)))).toThrow(/length/);
    expect(() => parseProxyHeader(header(0x11, Buffer.alloc(12), 0x22))).toThrow(/command/);
    expect(() => parseProxyHeader(header(0x11, Buffer.alloc(12), 0x11))).toThrow(/version/);
    expect(parseProxyHeader(header(0x31, Buffer.alloc(216)))).toEqual({ kind: 'local' });
  });
});
