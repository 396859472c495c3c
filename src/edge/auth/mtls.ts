import type { PeerCertificate } from 'node:tls';
import type { ConsumerConfig } from '../../config/schema/auth.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { Consumer, ConsumerRegistry } from './consumers.js';

/**
 * Maps a verified client certificate (the TLS layer already checked it against `server.tls.clientCa`)
 * to a consumer: first by subject alternative name (SPIFFE `URI:spiffe://...`, `DNS:`, `email:`),
 * then by subject CN. A consumer with pinned fingerprints accepts only those certificates.
 */
export type CertMapper = (cert: PeerCertificate) => Consumer;

const SAN = /(DNS|URI|email|IP Address|DirName|othername|Registered ID):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;

/** Node prints SANs as `DNS:a, URI:b`; values with special characters are JSON-quoted (Node ≥ 17.3). */
export function parseSubjectAltName(text: string | undefined): string[] {
  if (text === undefined || text === '') return [];
  const out: string[] = [];
  for (const [, kind, raw] of text.matchAll(SAN)) {
    if (raw === undefined) continue;
    let value = raw;
    if (raw.startsWith('"')) {
      try {
        value = JSON.parse(raw) as string;
      } catch {
        continue;
      }
    }
    out.push(`${kind}:${value}`);
  }
  return out;
}

function commonName(cert: PeerCertificate): string | null {
  const cn: unknown = cert.subject?.CN;
  if (typeof cn === 'string') return cn;
  // Several CNs are ambiguous: identify by SAN instead.
  return null;
}

export function createCertMapper(
  consumers: readonly ConsumerConfig[],
  registry: ConsumerRegistry,
  opts: { readonly requirePinning: boolean },
): CertMapper {
  const bySan = new Map<string, Consumer>();
  const byCn = new Map<string, Consumer>();
  const pins = new Map<string, ReadonlySet<string>>();
  const claim = (map: Map<string, Consumer>, k: string, c: Consumer, what: string): void => {
    const prev = map.get(k);
    if (prev !== undefined && prev !== c)
      throw new Error(`auth.mtls: ${what} "${k}" maps to both ${prev.name} and ${c.name}`);
    map.set(k, c);
  };
  for (const cfg of consumers) {
    if (cfg.mtls === undefined) continue;
    const c = registry.get(cfg.name);
    // The registry is compiled from the same consumer list.
    if (c === undefined) throw new Error(`auth.mtls: consumer ${cfg.name} missing from the registry`);
    for (const s of cfg.mtls.sans) claim(bySan, s, c, 'SAN');
    for (const s of cfg.mtls.subjects) claim(byCn, s, c, 'subject');
    if (cfg.mtls.fingerprints.length > 0) pins.set(c.name, new Set(cfg.mtls.fingerprints));
    else if (opts.requirePinning)
      throw new Error(`auth.mtls.requirePinning: consumer ${c.name} pins no fingerprint`);
  }

  return (cert) => {
    let found: Consumer | undefined;
    for (const san of parseSubjectAltName(cert.subjectaltname)) {
      found = bySan.get(san);
      if (found !== undefined) break;
    }
    if (found === undefined) {
      const cn = commonName(cert);
      if (cn !== null) found = byCn.get(cn);
    }
    if (found === undefined) throw new GatehouseError('GH_ERR_AUTH_UNKNOWN_CONSUMER');
    const pinned = pins.get(found.name);
    if (pinned !== undefined && !pinned.has((cert.fingerprint256 ?? '').toUpperCase()))
      throw new GatehouseError('GH_ERR_AUTH_CERT_NOT_PINNED');
    return found;
  };
}

/**
 * Tier 3 asks for a pinned client certificate on every request, whatever bearer credential rides
 * on the connection: the certificate (already verified against `server.tls.clientCa`) must be one
 * of the fingerprints pinned by the consumer the request authenticated as.
 */
export type PinnedCertCheck = (cert: PeerCertificate, consumer: string) => boolean;

export function createPinnedCertCheck(consumers: readonly ConsumerConfig[]): PinnedCertCheck {
  const pins = new Map<string, ReadonlySet<string>>();
  for (const c of consumers)
    if (c.mtls !== undefined && c.mtls.fingerprints.length > 0)
      pins.set(c.name, new Set(c.mtls.fingerprints));
  return (cert, consumer) => pins.get(consumer)?.has((cert.fingerprint256 ?? '').toUpperCase()) === true;
}
