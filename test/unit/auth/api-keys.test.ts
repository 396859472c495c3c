import { afterEach, describe, expect, it } from 'vitest';
import type { AuthService } from '../../../src/edge/auth/service.js';
import { generateApiKey, hashApiKey } from '../../../src/formats/api-key.js';
import { bearer, codeOf, makeService, request } from '../../integration/auth/fixtures.js';

const open: AuthService[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

function keyFor(opts: { pepper?: string; expiresAt?: string; revoked?: boolean } = {}) {
  const { key, id } = generateApiKey('ghk_');
  return {
    key,
    id,
    entry: {
      id,
      hash: hashApiKey(key, opts.pepper),
      ...(opts.expiresAt ? { expiresAt: opts.expiresAt } : {}),
      ...(opts.revoked ? { revoked: true } : {}),
    },
  };
}

async function service(consumers: unknown[], extra: Record<string, unknown> = {}) {
  const made = await makeService({ consumers, downstream: { mode: 'none' }, ...extra });
  open.push(made.svc);
  return made;
}

describe('API keys', () => {
  it('create → use: the key authenticates its consumer with the configured tier, aliases, plan', async () => {
    const k = keyFor();
    const { svc } = await service([
      { name: 'team-a', tier: 2, aliases: ['chat'], plan: 'gold', apiKeys: [k.entry] },
    ]);
    const { identity, root } = await svc.authenticate(
      request(bearer(k.key), { sourceIp: '10.0.0.9', userAgent: 'ua/1' }),
    );
    expect(root).toBe('api_key');
    expect(identity).toEqual({
      consumer: 'team-a',
      agent: null,
      session: null,
      tier: 2,
      method: 'api_key',
      scopes: [],
      aliases: ['chat'],
      plan: 'gold',
      sourceIp: '10.0.0.9',
      userAgent: 'ua/1',
    });
  });

  it('accepts x-api-key too, and refuses two different credentials in one request', async () => {
    const k = keyFor();
    const other = keyFor();
    const { svc } = await service([{ name: 'a', apiKeys: [k.entry, other.entry] }]);
    expect((await svc.authenticate(request({ 'x-api-key': k.key }))).identity.consumer).toBe('a');
    expect(await codeOf(svc.authenticate(request({ ...bearer(k.key), 'x-api-key': other.key })))).toBe(
      'GH_ERR_AUTH_MALFORMED',
    );
  });

  it('unknown and wrong keys fail the same way (one code, same work)', async () => {
    const k = keyFor();
    const { svc } = await service([{ name: 'a', apiKeys: [k.entry] }]);
    const unknown = generateApiKey('ghk_').key;
    // Same key id, different secret: a "wrong" key.
    const sameId = generateApiKey('ghk_').key;
    const wrongSecret = `ghk_${k.id}${sameId.slice(14, 46)}`;
    const { checksum } = await import('../../../src/formats/api-key.js');
    const wrong = wrongSecret + checksum(wrongSecret);
    expect(await codeOf(svc.authenticate(request(bearer(unknown))))).toBe('GH_ERR_AUTH_INVALID');
    expect(await codeOf(svc.authenticate(request(bearer(wrong))))).toBe('GH_ERR_AUTH_INVALID');
  });

  it('refuses lookalike prefixes and broken checksums as malformed, before any lookup', async () => {
    const k = keyFor();
    const { svc } = await service([{ name: 'a', apiKeys: [k.entry] }]);
    for (const bad of [
      `ghk-${k.key.slice(4)}`,
      `sk-${k.key.slice(4)}`,
      `${k.key.slice(0, -1)}${k.key.endsWith('x') ? 'y' : 'x'}`,
      'ghk_short',
    ])
      expect(await codeOf(svc.authenticate(request(bearer(bad)))), bad).toBe('GH_ERR_AUTH_MALFORMED');
    expect(await codeOf(svc.authenticate(request({ authorization: `Basic ${k.key}` })))).toBe(
      'GH_ERR_AUTH_MALFORMED',
    );
    expect(await codeOf(svc.authenticate(request({})))).toBe('GH_ERR_AUTH_MISSING');
  });

  it('an expired key is refused with its own code', async () => {
    const k = keyFor({ expiresAt: new Date(Date.now() - 1_000).toISOString() });
    const live = keyFor({ expiresAt: new Date(Date.now() + 60_000).toISOString() });
    const { svc } = await service([{ name: 'a', apiKeys: [k.entry, live.entry] }]);
    expect(await codeOf(svc.authenticate(request(bearer(k.key))))).toBe('GH_ERR_AUTH_EXPIRED');
    expect((await svc.authenticate(request(bearer(live.key)))).identity.consumer).toBe('a');
  });

  it('revoke: through the store (instant) and in config', async () => {
    const k = keyFor();
    const inConfig = keyFor({ revoked: true });
    const { svc } = await service([{ name: 'a', apiKeys: [k.entry, inConfig.entry] }]);
    expect((await svc.authenticate(request(bearer(k.key)))).identity.consumer).toBe('a');
    await svc.revocations.revoke('key', k.id, 0);
    expect(await codeOf(svc.authenticate(request(bearer(k.key))))).toBe('GH_ERR_AUTH_REVOKED');
    expect(await codeOf(svc.authenticate(request(bearer(inConfig.key))))).toBe('GH_ERR_AUTH_REVOKED');
  });

  it('a pepper turns stored hashes into HMACs; a hash of the other scheme refuses to boot', async () => {
    process.env.GH_TEST_PEPPER = 'pepper-for-tests';
    const k = keyFor({ pepper: 'pepper-for-tests' });
    const { svc } = await service([{ name: 'a', apiKeys: [k.entry] }], {
      apiKeys: { pepper: '${GH_TEST_PEPPER}' },
    });
    expect((await svc.authenticate(request(bearer(k.key)))).identity.consumer).toBe('a');
    const plain = keyFor();
    await expect(
      service([{ name: 'a', apiKeys: [plain.entry] }], { apiKeys: { pepper: '${GH_TEST_PEPPER}' } }),
    ).rejects.toThrow(/hashed with sha256/);
  });

  it('a disabled consumer is refused whatever key it presents', async () => {
    const k = keyFor();
    const { svc } = await service([{ name: 'a', disabled: true, apiKeys: [k.entry] }]);
    expect(await codeOf(svc.authenticate(request(bearer(k.key))))).toBe('GH_ERR_AUTH_CONSUMER_DISABLED');
  });
});
