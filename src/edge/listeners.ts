import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { GatehouseConfig } from '../config/schema/index.js';
import { resolveSecret } from '../config/secrets.js';

type ServerConfig = GatehouseConfig['server'];

export function hstsValue(s: ServerConfig): string | null {
  if (!s.tls) return null;
  let v = `max-age=${s.hsts.maxAgeSeconds}`;
  if (s.hsts.includeSubDomains) v += '; includeSubDomains';
  if (s.hsts.preload) v += '; preload';
  return v;
}

/**
 * The data-plane listener: TLS 1.2+ with a strong cipher list and optional mTLS, or plain HTTP when
 * the operator asked for it. Node's own timers bound slow headers; the body timer lives in the reader.
 */
export function createDataPlaneServer(s: ServerConfig, handler: RequestListener): Server {
  const timing = {
    headersTimeout: s.headersTimeoutMs,
    // Backstop behind the body reader's own timer, so ours answers first with a proper error.
    requestTimeout: s.headersTimeoutMs + s.bodyTimeoutMs + 5_000,
    keepAliveTimeout: s.keepAliveTimeoutMs,
  };
  let server: Server;
  if (s.tls) {
    const t = s.tls;
    server = createHttpsServer(
      {
        ...timing,
        cert: readFileSync(t.cert),
        key: resolvePem(t.key),
        minVersion: t.minVersion,
        ciphers: t.ciphers,
        honorCipherOrder: true,
        ca: t.clientCa ? readFileSync(t.clientCa) : undefined,
        requestCert: t.clientAuth !== 'none',
        rejectUnauthorized: t.clientAuth === 'required',
      },
      handler,
    );
  } else {
    server = createHttpServer(timing, handler);
  }
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Malformed requests and TLS failures get a bare 400/408 and a closed socket; nothing echoed.
    if (!socket.writable) return socket.destroy();
    const status =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_HEADERS_TIMEOUT' ? 408 : 400;
    socket.end(
      `HTTP/1.1 ${status} ${status === 408 ? 'Request Timeout' : 'Bad Request'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
    );
  });
  return server;
}

/** A key may be a file path or a secret reference holding PEM text. */
function resolvePem(ref: string): string | Buffer {
  if (ref.startsWith('${') || ref.startsWith('file:')) return resolveSecret(ref);
  return readFileSync(ref);
}

export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export function urlOf(scheme: 'http' | 'https', a: AddressInfo): string {
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `${scheme}://${host}:${a.port}`;
}
