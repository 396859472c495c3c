import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { type SecureVersion, connect as tlsConnect } from 'node:tls';
import type { AuditInput } from './types.js';

/**
 * The audit's only network client: one request at a time, to the target given and nowhere else,
 * with a timeout on every exchange and a cap on what it reads back.
 */
const MAX_READ = 64 * 1024;

export interface ProbeResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface ProbeRequest {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Send the audit credential (default true). */
  readonly auth?: boolean;
  /** Present the client certificate given to the audit (default true). */
  readonly clientCert?: boolean;
}

export interface TlsMaterial {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly rejectUnauthorized: boolean;
}

export function tlsMaterial(input: AuditInput): TlsMaterial {
  const read = (f: string | undefined) => (f === undefined ? undefined : readFileSync(f));
  return {
    ca: read(input.tls.ca),
    cert: read(input.tls.cert),
    key: read(input.tls.key),
    rejectUnauthorized: !input.tls.insecure,
  };
}

export class ProbeClient {
  private readonly tls: TlsMaterial;
  constructor(
    private readonly target: URL,
    private readonly input: AuditInput,
  ) {
    this.tls = tlsMaterial(input);
  }

  get isTls(): boolean {
    return this.target.protocol === 'https:';
  }

  send(req: ProbeRequest): Promise<ProbeResponse> {
    const base = this.target.pathname.replace(/\/$/, '');
    const headers: Record<string, string> = { 'user-agent': 'gatehouse-audit', ...req.headers };
    if (req.auth !== false && this.input.apiKey !== null)
      headers.authorization = `Bearer ${this.input.apiKey}`;
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const fn = this.isTls ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const r = fn(
        {
          host: this.target.hostname.replace(/^\[|\]$/g, ''),
          port: this.target.port || (this.isTls ? 443 : 80),
          method: req.method ?? 'GET',
          path: `${base}${req.path}`,
          headers,
          agent: false,
          timeout: this.input.timeoutMs,
          ...(this.isTls
            ? {
                ...this.tls,
                ...(req.clientCert === false ? { cert: undefined, key: undefined } : {}),
                servername: serverName(this.target),
              }
            : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            if (size < MAX_READ) chunks.push(c);
            size += c.length;
            if (size >= MAX_READ) res.destroy();
          });
          const done = () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_READ),
            });
          res.on('end', done);
          res.on('close', done);
          res.on('error', done);
        },
      );
      r.on('timeout', () => r.destroy(new Error(`no answer within ${this.input.timeoutMs} ms`)));
      r.on('error', (err) => reject(err));
      // A server may answer (413) and close before the whole body is sent: that is its answer.
      r.end(req.body);
    });
  }

  /** One TLS handshake with the given version range and cipher list; resolves to what was negotiated. */
  handshake(opts: {
    min: SecureVersion;
    max: SecureVersion;
    ciphers?: string;
    clientCert?: boolean;
  }): Promise<{ ok: true; protocol: string; cipher: string } | { ok: false; reason: string }> {
    const host = this.target.hostname.replace(/^\[|\]$/g, '');
    const port = Number(this.target.port || 443);
    return new Promise((resolve) => {
      let s: ReturnType<typeof tlsConnect>;
      try {
        s = tlsConnect({
          host,
          port,
          servername: serverName(this.target),
          minVersion: opts.min,
          maxVersion: opts.max,
          // Verification is irrelevant to what the server offers; the probe only asks what it accepts.
          rejectUnauthorized: false,
          ...(opts.ciphers !== undefined ? { ciphers: opts.ciphers } : {}),
          ...(opts.clientCert === false ? {} : { cert: this.tls.cert, key: this.tls.key }),
        });
      } catch (err) {
        // This machine's OpenSSL cannot even offer it: nobody can negotiate it with it either.
        resolve({ ok: false, reason: `not offered by the local OpenSSL (${(err as Error).message})` });
        return;
      }
      const timer = setTimeout(() => s.destroy(new Error('handshake timeout')), this.input.timeoutMs);
      s.once('secureConnect', () => {
        clearTimeout(timer);
        const protocol = s.getProtocol() ?? 'unknown';
        const cipher = s.getCipher()?.name ?? 'unknown';
        // A TLS 1.3 server that wants a certificate refuses after the handshake: wait a beat for it.
        s.once('error', () => undefined);
        s.end();
        resolve({ ok: true, protocol, cipher });
      });
      s.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ ok: false, reason: err.code ?? err.message });
      });
    });
  }
}

function serverName(u: URL): string | undefined {
  const h = u.hostname.replace(/^\[|\]$/g, '');
  return /^[\d.]+$|:/.test(h) ? undefined : h;
}

/** Whether a TCP connection to host:port opens from here within the timeout. */
export function tcpReachable(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<{ open: boolean; detail: string }> {
  return new Promise((resolve) => {
    const s = netConnect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ open: false, detail: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve({ open: true, detail: 'TCP connection accepted' });
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ open: false, detail: err.code ?? err.message });
    });
  });
}
