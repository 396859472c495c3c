import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type DemoUpstream, startDemoUpstream } from '../../../src/demo/upstream.js';
import type { Pki } from '../../helpers/pki.js';

/**
 * The demo model behind real HTTPS that requires a client certificate from the PKI's client CA
 * (the Zone-2 deployment side of the upstream mTLS hop). Requests reach the demo's own handler, so
 * `demo.received` logs what the upstream got.
 */
export interface TlsUpstream {
  readonly url: string;
  readonly demo: DemoUpstream;
  /** TLS handshakes the server refused (no or bad client certificate). */
  readonly refused: string[];
  close(): Promise<void>;
}

export async function startTlsUpstream(
  pki: Pki,
  opts: { maxVersion?: 'TLSv1.2' | 'TLSv1.3' } = {},
): Promise<TlsUpstream> {
  const demo = await startDemoUpstream();
  const refused: string[] = [];
  const server: Server = createServer(
    {
      cert: pki.read(pki.serverCert),
      key: pki.read(pki.serverKey),
      ca: pki.read(pki.clientCa),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      maxVersion: opts.maxVersion ?? 'TLSv1.3',
    },
    (req, res) => demo.server.emit('request', req, res),
  );
  server.on('tlsClientError', (err: NodeJS.ErrnoException) => refused.push(err.code ?? err.message));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/v1`,
    demo,
    refused,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await demo.close();
    },
  };
}
