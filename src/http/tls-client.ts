import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type ConnectionOptions, checkServerIdentity, type DetailedPeerCertificate } from 'node:tls';
import type { RouteConfig } from '../config/schema/route.js';
import { resolveSecret, secretRefKind } from '../config/secrets.js';

type UpstreamTls = NonNullable<RouteConfig['upstream']['tls']>;

/**
 * TLS of the gateway's outgoing connections: a route's deployment (the Zone-2 hop) and the Judge
 * endpoint share `upstream.tls` (CA, client certificate, server name, pins, minimum version), compiled
 * here once at boot into undici connect options. It sits in the HTTP layer so that both features use
 * one implementation.
 */

/** What undici's connector passes on to `tls.connect` for one deployment, compiled once at boot. */
export type UpstreamConnectOptions = Pick<
  ConnectionOptions,
  'ca' | 'cert' | 'key' | 'servername' | 'minVersion' | 'checkServerIdentity' | 'rejectUnauthorized'
> & {
  /** 0 when pins are set: a resumed session would skip `checkServerIdentity`, so every connection is a full handshake. */
  maxCachedSessions?: number;
};

/** The error a pin mismatch fails the connection with; its code maps to GH_ERR_UPSTREAM_TLS. */
export class UpstreamPinError extends Error {
  readonly code = 'ERR_TLS_CERT_PIN_MISMATCH';
  constructor() {
    super('the upstream certificate chain matches none of the configured pins');
  }
}

/** A file path, or a `${ENV}` / `file:` reference holding the PEM text. */
function readPem(ref: string, env: NodeJS.ProcessEnv): string | Buffer {
  return secretRefKind(ref) === 'inline' ? readFileSync(ref) : resolveSecret(ref, env);
}

const spkiPin = (raw: Buffer): string =>
  `sha256/${createHash('sha256')
    .update(new X509Certificate(raw).publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64')}`;

/** Every certificate of the chain node reports, leaf first (a root is its own issuer). */
function chainOf(leaf: DetailedPeerCertificate): DetailedPeerCertificate[] {
  const out: DetailedPeerCertificate[] = [];
  let c: DetailedPeerCertificate | undefined = leaf;
  while (c?.raw !== undefined && !out.includes(c)) {
    out.push(c);
    c = c.issuerCertificate;
  }
  return out;
}

/**
 * Pins are checked after node's own chain and host name verification passed (never instead of it):
 * the connection fails unless some certificate of the presented chain matches a pin.
 */
export function createPinCheck(
  pins: readonly string[],
): NonNullable<ConnectionOptions['checkServerIdentity']> {
  const wanted = new Set(pins.map((p) => (p.startsWith('sha256/') ? p : p.toUpperCase())));
  return (host, cert) => {
    const err = checkServerIdentity(host, cert);
    if (err !== undefined) return err;
    // Node calls this with the detailed certificate (issuer chain included) after verifying the chain.
    for (const c of chainOf(cert as DetailedPeerCertificate)) {
      if (wanted.has((c.fingerprint256 ?? '').toUpperCase())) return undefined;
      if (wanted.has(spkiPin(c.raw))) return undefined;
    }
    return new UpstreamPinError();
  };
}

/**
 * Compiles `upstream.tls` into connect options. Verification is always on (`rejectUnauthorized`);
 * nothing here can turn it off. Files and secret references are read once, at boot.
 */
export function compileUpstreamTls(
  tls: UpstreamTls | undefined,
  env: NodeJS.ProcessEnv,
): UpstreamConnectOptions {
  if (tls === undefined) return { rejectUnauthorized: true, minVersion: 'TLSv1.2' };
  const out: UpstreamConnectOptions = { rejectUnauthorized: true, minVersion: tls.minVersion };
  if (tls.ca !== undefined) out.ca = readPem(tls.ca, env);
  if (tls.cert !== undefined && tls.key !== undefined) {
    out.cert = readPem(tls.cert, env);
    out.key = readPem(tls.key, env);
  }
  if (tls.serverName !== undefined) out.servername = tls.serverName;
  if (tls.pins.length > 0) {
    out.checkServerIdentity = createPinCheck(tls.pins);
    out.maxCachedSessions = 0;
  }
  return out;
}
