import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/gateway.js';
import { createPki, type Pki } from '../../helpers/pki.js';
import { makeEvent, service, tmp } from './helpers.js';

/** A real RFC 5425 receiver: TLS, octet-counted frames. */
function startSyslogServer(pki: Pki, opts: { requireClientCert?: boolean } = {}) {
  const frames: string[] = [];
  const peers: Array<string | null> = [];
  const sockets = new Set<TLSSocket>();
  const server = createServer(
    {
      cert: readFileSync(pki.serverCert),
      key: readFileSync(pki.serverKey),
      ...(opts.requireClientCert && {
        ca: readFileSync(pki.clientCa),
        requestCert: true,
        rejectUnauthorized: true,
      }),
    },
    (sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      const cert = sock.getPeerCertificate();
      peers.push(cert && 'subject' in cert && cert.subject ? String(cert.subject.CN) : null);
      let buf = Buffer.alloc(0);
      sock.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        for (;;) {
          const sp = buf.indexOf(0x20);
          if (sp < 0) return;
          const len = Number(buf.subarray(0, sp).toString());
          if (buf.length < sp + 1 + len) return;
          frames.push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
          buf = buf.subarray(sp + 1 + len);
        }
      });
    },
  );
  return new Promise<{ port: number; frames: string[]; peers: Array<string | null>; close(): Promise<void> }>(
    (resolve) =>
      server.listen(0, '127.0.0.1', () =>
        resolve({
          port: (server.address() as AddressInfo).port,
          frames,
          peers,
          close: () =>
            new Promise<void>((r) => {
              for (const s of sockets) s.destroy();
              server.close(() => r());
            }),
        }),
      ),
  );
}

const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\d+) (\S+) - (\{.*\})$/;
let pki: Pki;
beforeAll(() => {
  pki = createPki();
});
afterAll(() => {});

describe('syslog RFC 5424 over TLS against a real local listener', () => {
  it('sends octet-counted RFC 5424 messages whose MSG is the audit event', async () => {
    const rx = await startSyslogServer(pki);
    const { svc } = await service({
      audit: {
        sinks: [
          {
            kind: 'syslog',
            host: 'localhost',
            port: rx.port,
            tls: { ca: pki.caCert },
            facility: 13,
            flushIntervalMs: 20,
            backoffInitialMs: 20,
          },
        ],
      },
      spool: { dir: tmp('gh-syslog-') },
    });
    const sent = Array.from({ length: 30 }, (_, i) => makeEvent(svc, i));
    for (const e of sent) svc.emit(e);
    const failure = svc.events.security(
      { action: 'auth.failure', reason: 'GH_ERR_AUTH_INVALID' },
      { sourceIp: '192.0.2.1' },
    );
    svc.emit(failure);
    expect(await svc.drain(5_000)).toBe(true);
    await eventually(() => expect(rx.frames).toHaveLength(31));
    const parsed = rx.frames.map((f) => {
      const m = RFC5424.exec(f);
      expect(m, f.slice(0, 120)).not.toBeNull();
      return { pri: Number(m![1]), ts: m![2]!, app: m![4]!, msgid: m![6]!, event: JSON.parse(m![7]!) };
    });
    expect(parsed.map((p) => p.event.event.id)).toEqual([...sent, failure].map((e) => e.event.id));
    expect(parsed[0]).toMatchObject({
      pri: 13 * 8 + 6,
      app: 'gatehouse',
      msgid: 'config.reload',
      ts: sent[0]!['@timestamp'],
    });
    expect(parsed[30]).toMatchObject({ pri: 13 * 8 + 5, msgid: 'auth.failure' });
    await svc.close();
    await rx.close();
  });

  it('refuses a server certificate it cannot verify, keeps the events and delivers them once trusted', async () => {
    const rx = await startSyslogServer(pki);
    const dir = tmp('gh-syslog-untrusted-');
    const base = {
      kind: 'syslog',
      name: 'sl',
      host: 'localhost',
      port: rx.port,
      flushIntervalMs: 20,
      backoffInitialMs: 20,
    };
    const first = await service({
      audit: { sinks: [{ ...base, tls: { ca: pki.otherCa } }] },
      spool: { dir },
    });
    for (let i = 0; i < 5; i++) first.svc.emit(makeEvent(first.svc, i));
    await eventually(() => expect(first.svc.channels[0]!.stats().failures).toBeGreaterThan(0));
    expect(rx.frames).toHaveLength(0);
    await first.svc.close();

    const second = await service({
      audit: { sinks: [{ ...base, tls: { ca: pki.caCert } }] },
      spool: { dir },
    });
    expect(await second.svc.drain(5_000)).toBe(true);
    await eventually(() => expect(rx.frames).toHaveLength(5));
    await second.svc.close();
    await rx.close();
  });

  it('presents a client certificate when the listener requires mutual TLS', async () => {
    const rx = await startSyslogServer(pki, { requireClientCert: true });
    const client = pki.issueClient('gatehouse-audit');
    const { svc } = await service({
      audit: {
        sinks: [
          {
            kind: 'syslog',
            host: '127.0.0.1',
            port: rx.port,
            tls: { ca: pki.caCert, cert: client.cert, key: client.key, servername: 'localhost' },
            flushIntervalMs: 20,
          },
        ],
      },
      spool: { dir: tmp('gh-syslog-mtls-') },
    });
    svc.emit(makeEvent(svc, 1));
    expect(await svc.drain(5_000)).toBe(true);
    await eventually(() => expect(rx.frames).toHaveLength(1));
    expect(rx.peers).toContain('gatehouse-audit');
    await svc.close();
    await rx.close();
  });
});
