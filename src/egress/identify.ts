import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { credentialMatches, type EgressIdentity } from './policy.js';

/**
 * Who is asking: a verified client certificate whose subject CN maps to an identity, else
 * `Proxy-Authorization: Basic id:secret`. Anything else is no identity (407): the proxy has no
 * anonymous allowlist.
 */
export function identify(
  req: IncomingMessage,
  identities: ReadonlyMap<string, EgressIdentity>,
  bySubject: ReadonlyMap<string, EgressIdentity>,
): EgressIdentity | null {
  const sock = req.socket as Partial<TLSSocket>;
  if (sock.authorized === true && typeof sock.getPeerCertificate === 'function') {
    const cn = sock.getPeerCertificate().subject?.CN;
    const byCert = typeof cn === 'string' ? bySubject.get(cn) : undefined;
    if (byCert) return byCert;
  }
  const header = req.headers['proxy-authorization'];
  if (typeof header !== 'string' || header.length > 1_024) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  const identity = identities.get(decoded.slice(0, colon));
  return identity && credentialMatches(identity, decoded.slice(colon + 1)) ? identity : null;
}
