import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EgressProcess, startEgress } from '../../../src/boot/egress.js';
import { parseConfig } from '../../../src/config/load.js';
import { type DnsStub, startDnsStub } from '../../helpers/dns-stub.js';
import { eventually } from '../../helpers/gateway.js';
import { createPki } from '../../helpers/pki.js';

/*
 * The egress proxy's kill-switch scope (the resilience feature's file flag: no store, no control
 * plane) and its mTLS identity (a client certificate's CN instead of proxy credentials).
 */
const pki = createPki();
const client = pki.issueClient('tool-runner');
let dns: DnsStub;
let echo: Server;
let echoPort: number;
let proxy: EgressProcess;
const dir = mkdtempSync(join(tmpdir(), 'gh-egress-kill-'));
const flag = join(dir, 'KILL');

/** CONNECT over a TLS connection to the proxy with the given client certificate (or none). */
function connectTls(withCert: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({
      host: '127.0.0.1',
      port: proxy.address.port,
      servername: 'localhost',
      ca: readFileSync(pki.caCert),
      ...(withCert && { cert: readFileSync(client.cert), key: readFileSync(client.key) }),
    });
    s.once('error', reject);
    s.once('secureConnect', () => s.write(`CONNECT ok.test:${echoPort} HTTP/1.1\r\nhost: ok.test\r\n\r\n`));
    let buf = '';
    s.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      if (buf.includes('\r\n\r\n')) {
        resolve(buf.slice(0, buf.indexOf('\r\n')));
        s.destroy();
      }
    });
  });
}

beforeAll(async () => {
  dns = await startDnsStub({ 'ok.test': { A: ['127.0.0.2'] } });
  echo = createServer((s) => s.pipe(s));
  echoPort = await new Promise<number>((r) =>
    echo.listen(0, '127.0.0.2', () => r((echo.address() as AddressInfo).port)),
  );
  proxy = await startEgress(
    parseConfig({
      egress: {
        port: 0,
        dnsServers: [dns.server],
        tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.clientCa, clientAuth: 'optional' },
        identities: [
          {
            id: 'runner',
            mtlsSubject: 'tool-runner',
            allowNetworks: ['127.0.0.2/32'],
            allow: [{ host: 'ok.test', ports: [echoPort] }],
          },
        ],
      },
      resilience: { killSwitch: { file: flag, pollMs: 50 } },
    }),
    { logger: pino({ level: 'silent' }) },
  );
});

afterAll(async () => {
  await proxy?.close();
  await dns?.close();
  await new Promise((r) => echo?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('egress proxy: mTLS identity and the kill switch', () => {
  it('a client certificate proves the identity; without one the proxy asks for credentials', async () => {
    expect(await connectTls(true)).toBe('HTTP/1.1 200 Connection Established');
    expect(await connectTls(false)).toMatch(/^HTTP\/1\.1 407 /);
  });

  it('the egress scope of the kill switch (file flag) cuts every tunnel attempt, and releases', async () => {
    writeFileSync(flag, JSON.stringify({ scope: 'egress', target: '*', reason: 'incident drill' }));
    await eventually(async () =>
      expect(await connectTls(true)).toMatch(/^HTTP\/1\.1 503 GH_ERR_EGRESS_KILLED/),
    );
    rmSync(flag);
    await eventually(async () => expect(await connectTls(true)).toBe('HTTP/1.1 200 Connection Established'));
  });
});

// A plain-TCP client on the TLS listener never gets a tunnel.
it('the TLS listener does not speak plain HTTP', async () => {
  const r = await new Promise<string>((resolve) => {
    const s = connect({ host: '127.0.0.1', port: proxy.address.port }, () =>
      s.write('CONNECT ok.test:1 HTTP/1.1\r\n\r\n'),
    );
    let got = '';
    s.on('data', (c: Buffer) => {
      got += c.toString('latin1');
    });
    s.on('close', () => resolve(got));
    s.on('error', () => resolve(got));
  });
  expect(r).not.toContain('200 Connection Established');
});
