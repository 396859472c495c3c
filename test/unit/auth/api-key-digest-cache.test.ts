import { describe, expect, it } from 'vitest';
import { type ApiKeyMatch, createApiKeyVerifier, keyRow, type Row } from '../../../src/edge/auth/api-keys.js';
import type { Consumer } from '../../../src/edge/auth/consumers.js';
import { GatehouseError } from '../../../src/errors/gatehouse-error.js';
import { generateApiKey, hashApiKey } from '../../../src/formats/api-key.js';

/**
 * The verifier remembers the digest of a key that matched (issue 13: the hash was a few percent of a
 * request). What it remembers must never let a key through that the tables no longer accept.
 */
const consumer: Consumer = {
  name: 'a',
  tier: 1,
  aliases: '*',
  scopes: undefined,
  plan: null,
  disabled: false,
} as Consumer;

function codeOf(f: () => ApiKeyMatch): string {
  try {
    f();
    return 'ok';
  } catch (err) {
    return err instanceof GatehouseError ? err.code : String(err);
  }
}

describe('API key verifier: remembered digests', () => {
  it('a remembered key is refused once it is revoked, removed or expired', () => {
    const { key, id } = generateApiKey('ghk_');
    const hash = hashApiKey(key, undefined);
    const hex = hash.slice('sha256:'.length);
    const clock = { t: 1_000 };
    let issued = new Map<string, Row>([
      [hex, keyRow({ id, hash, expiresAt: '1970-01-01T00:00:10Z' }, consumer)],
    ]);
    const verify = createApiKeyVerifier([], new Map(), {
      prefix: 'ghk_',
      pepper: undefined,
      now: () => clock.t,
      issued: () => issued,
    });
    expect(codeOf(() => verify(key))).toBe('ok');
    expect(codeOf(() => verify(key))).toBe('ok'); // from the remembered digest
    issued = new Map([[hex, keyRow({ id, hash, revoked: true }, consumer)]]);
    expect(codeOf(() => verify(key))).toBe('GH_ERR_AUTH_REVOKED');
    issued = new Map();
    expect(codeOf(() => verify(key))).toBe('GH_ERR_AUTH_INVALID');
    issued = new Map([[hex, keyRow({ id, hash, expiresAt: '1970-01-01T00:00:10Z' }, consumer)]]);
    expect(codeOf(() => verify(key))).toBe('ok');
    clock.t = 10_000;
    expect(codeOf(() => verify(key))).toBe('GH_ERR_AUTH_EXPIRED');
  });

  it('only keys that matched are remembered: a wrong key is refused every time', () => {
    const good = generateApiKey('ghk_');
    const hash = hashApiKey(good.key, undefined);
    const table = new Map<string, Row>([[hash.slice(7), keyRow({ id: good.id, hash }, consumer)]]);
    const verify = createApiKeyVerifier([], new Map(), {
      prefix: 'ghk_',
      pepper: undefined,
      issued: () => table,
    });
    const wrong = generateApiKey('ghk_').key;
    for (let i = 0; i < 3; i++) expect(codeOf(() => verify(wrong))).toBe('GH_ERR_AUTH_INVALID');
    expect(codeOf(() => verify('ghk_short'))).toBe('GH_ERR_AUTH_MALFORMED');
    expect(codeOf(() => verify(good.key))).toBe('ok');
  });
});
