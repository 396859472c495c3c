import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ConsumerConfig } from '../../config/schema/auth.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import { createKeyParser } from '../../formats/api-key.js';
import type { Consumer, ConsumerRegistry } from './consumers.js';

export interface ApiKeyMatch {
  readonly id: string;
  readonly consumer: Consumer;
}

export interface Row {
  readonly id: string;
  readonly digest: Buffer;
  readonly consumer: Consumer | null;
  readonly expiresAt: number;
  readonly revoked: boolean;
}

/**
 * Verifies presented API keys against the configured hashes.
 *
 * Timing: the presented key is hashed and the digest looked up in a table keyed by digest; a miss
 * falls back to a dummy row, and the digest is then compared with `timingSafeEqual` in both cases.
 * An unknown key and a wrong key (right id, wrong secret) therefore do the same work: one hash, one
 * map probe, one fixed-size comparison. The probe's cost depends only on the digest, which an
 * attacker cannot steer towards a stored one. The checksum check before it is public information.
 *
 * The digest of a key that matched a row is remembered (keyed by the presented key, at most
 * `VERIFIED_CACHE` of them): a consumer presents the same key on every request and the hash was a
 * few percent of a request's CPU (issue 13). Only matching keys are kept, so a wrong or unknown key
 * always pays the hash; a hit skips only the hash, and the row lookup, the comparison and the
 * revoked/expired checks still run every time. Being faster for a valid key tells a caller nothing
 * the 200 does not already.
 */
const VERIFIED_CACHE = 10_000;

/** One verifier row; the hash's scheme is checked by the caller. */
export function keyRow(
  k: { readonly id: string; readonly hash: string; readonly expiresAt?: string; readonly revoked?: boolean },
  consumer: Consumer | null,
): Row {
  const hex = k.hash.slice(k.hash.indexOf(':') + 1);
  return {
    id: k.id,
    digest: Buffer.from(hex, 'hex'),
    consumer,
    expiresAt: k.expiresAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(k.expiresAt),
    revoked: k.revoked ?? false,
  };
}

export function createApiKeyVerifier(
  consumers: readonly ConsumerConfig[],
  registry: ConsumerRegistry,
  opts: {
    readonly prefix: string;
    readonly pepper: string | undefined;
    readonly now?: () => number;
    /**
     * Keys issued at runtime by operators (src/pipeline/overrides.ts), as config entries per
     * consumer; the table is rebuilt when the overlay changes, and probed like the YAML's.
     */
    readonly issued?: () => ReadonlyMap<string, Row>;
  },
): (presented: string) => ApiKeyMatch {
  const now = opts.now ?? Date.now;
  const parse = createKeyParser(opts.prefix);
  const scheme = opts.pepper === undefined ? 'sha256' : 'hmac-sha256';
  const digestOf =
    opts.pepper === undefined
      ? (k: string) => createHash('sha256').update(k).digest()
      : (k: string) =>
          createHmac('sha256', opts.pepper as string)
            .update(k)
            .digest();

  const table = new Map<string, Row>();
  for (const c of consumers) {
    for (const k of c.apiKeys) {
      const [kind, hex] = k.hash.split(':') as [string, string];
      if (kind !== scheme)
        throw new Error(
          `auth: key ${k.id} of consumer ${c.name} is hashed with ${kind} but the gateway expects ${scheme}`,
        );
      table.set(hex, keyRow(k, registry.get(c.name) ?? null));
    }
  }
  const dummy: Row = {
    id: '',
    digest: Buffer.alloc(32),
    consumer: null,
    expiresAt: 0,
    revoked: true,
  };

  const verified = new Map<string, { readonly id: string; readonly digest: Buffer; readonly hex: string }>();

  return (presented) => {
    let known = verified.get(presented);
    const cached = known !== undefined;
    if (known === undefined) {
      const parsed = parse(presented);
      if (!parsed.ok) throw new GatehouseError('GH_ERR_AUTH_MALFORMED');
      const digest = digestOf(presented);
      known = { id: parsed.id, digest, hex: digest.toString('hex') };
    }
    const row = table.get(known.hex) ?? opts.issued?.().get(known.hex) ?? dummy;
    const equal = timingSafeEqual(known.digest, row.digest);
    if (!equal || row.consumer === null || row.id !== known.id)
      throw new GatehouseError('GH_ERR_AUTH_INVALID');
    if (!cached) {
      if (verified.size >= VERIFIED_CACHE) verified.clear();
      verified.set(presented, known);
    }
    if (row.revoked) throw new GatehouseError('GH_ERR_AUTH_REVOKED');
    if (now() >= row.expiresAt) throw new GatehouseError('GH_ERR_AUTH_EXPIRED');
    return { id: row.id, consumer: row.consumer };
  };
}
