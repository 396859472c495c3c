import { createHash, createHmac, randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * API key format: `<prefix><id:10><secret:32><checksum:6>`, all base62 after the prefix, e.g.
 * `ghk_` + 48 characters. The id is public (revocation, logs); the secret carries ~190 bits; the
 * checksum is CRC32 of everything before it, base62, zero-padded to 6 characters, so a scanner can
 * tell a real key from a lookalike offline (GitHub's token format works the same way).
 */
export const KEY_ID_LENGTH = 10;
export const KEY_SECRET_LENGTH = 32;
export const KEY_CHECKSUM_LENGTH = 6;
export const KEY_BODY_LENGTH = KEY_ID_LENGTH + KEY_SECRET_LENGTH + KEY_CHECKSUM_LENGTH;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function randomBase62(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += BASE62[randomInt(62)];
  return out;
}

function base62(n: number, width: number): string {
  let out = '';
  let v = n;
  do {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  } while (v > 0);
  return out.padStart(width, '0');
}

export function checksum(text: string): string {
  return base62(crc32(Buffer.from(text, 'utf8')) >>> 0, KEY_CHECKSUM_LENGTH);
}

export interface GeneratedKey {
  readonly key: string;
  readonly id: string;
}

export function generateApiKey(prefix: string): GeneratedKey {
  const id = randomBase62(KEY_ID_LENGTH);
  const head = prefix + id + randomBase62(KEY_SECRET_LENGTH);
  return { key: head + checksum(head), id };
}

export type ParsedKey = { readonly ok: true; readonly id: string } | { readonly ok: false };

/** Builds the parser for one prefix once (its regex compiled at boot). */
export function createKeyParser(prefix: string): (candidate: string) => ParsedKey {
  const shape = new RegExp(
    `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[0-9A-Za-z]{${KEY_BODY_LENGTH}}$`,
  );
  const cut = prefix.length + KEY_ID_LENGTH + KEY_SECRET_LENGTH;
  return (candidate) => {
    if (!shape.test(candidate)) return { ok: false };
    if (checksum(candidate.slice(0, cut)) !== candidate.slice(cut)) return { ok: false };
    return { ok: true, id: candidate.slice(prefix.length, prefix.length + KEY_ID_LENGTH) };
  };
}

/** True when the text starts like a key of this prefix (used to classify a bearer credential). */
export function looksLikeApiKey(prefix: string, candidate: string): boolean {
  return candidate.startsWith(prefix);
}

/** The stored form: `sha256:<hex>`, or `hmac-sha256:<hex>` with a server pepper. */
export function hashApiKey(key: string, pepper: string | undefined): string {
  return pepper === undefined
    ? `sha256:${createHash('sha256').update(key).digest('hex')}`
    : `hmac-sha256:${createHmac('sha256', pepper).update(key).digest('hex')}`;
}
