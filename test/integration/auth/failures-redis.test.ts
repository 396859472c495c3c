import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthService } from '../../../src/edge/auth/service.js';
import { generateApiKey, hashApiKey } from '../../../src/formats/api-key.js';
import { createRedisStore, type RedisStore } from '../../../src/store/redis.js';
import { eventually } from '../../helpers/gateway.js';
import { bearer, codeOf, makeService, request } from './fixtures.js';

const REDIS = process.env.GATEHOUSE_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const prefix = `ghtest:auth-failures:${randomUUID()}:`;
const key = generateApiKey('ghk_');
const input = {
  consumers: [{ name: 'a', apiKeys: [{ id: key.id, hash: hashApiKey(key.key, undefined) }] }],
  failures: { alertThreshold: 3, block: { enabled: true, threshold: 5, durationMs: 60_000 } },
  downstream: { mode: 'none' },
};

let s1: RedisStore;
let s2: RedisStore;
let r1: AuthService;
let r2: AuthService;

beforeAll(async () => {
  s1 = createRedisStore({ url: REDIS, prefix });
  s2 = createRedisStore({ url: REDIS, prefix });
  await Promise.all([once(s1.redis(), 'ready'), once(s2.redis(), 'ready')]);
  r1 = (await makeService(input, { store: s1 })).svc;
  r2 = (await makeService(input, { store: s2 })).svc;
});
afterAll(async () => {
  await Promise.all([r1?.close(), r2?.close()]);
  const keys = await s1.redis().keys(`${prefix}*`);
  if (keys.length > 0) await s1.redis().del(...keys);
  await Promise.all([s1?.close(), s2?.close()]);
});

describe('authentication failures per source IP', () => {
  it('counts failures from one IP across replicas in the store, with a hash-tagged key', async () => {
    const ip = '192.0.2.10';
    for (const svc of [r1, r2, r1])
      expect(await codeOf(svc.authenticate(request(bearer('ghk_nope'), { sourceIp: ip })))).toBe(
        'GH_ERR_AUTH_MALFORMED',
      );
    expect(await s1.redis().get(`${prefix}auth:fail:{${ip}}`)).toBe('3');
    expect(await s1.redis().pttl(`${prefix}auth:fail:{${ip}}`)).toBeGreaterThan(0);
  });

  it('raises one spike event past alertThreshold, then blocks the IP on every replica past block.threshold', async () => {
    const ip = '192.0.2.20';
    const events: string[] = [];
    for (let i = 1; i <= 6; i++) {
      const r = request(bearer('ghk_nope'), { sourceIp: ip });
      await codeOf((i % 2 ? r1 : r2).authenticate(r));
      events.push(...r.events.map((e) => `${i}:${e.reason}`));
    }
    expect(events.filter((e) => e.endsWith('GH_ERR_AUTH_MALFORMED'))).toHaveLength(6);
    // Blocked now, with the right key too, on both replicas (pub/sub), with a retry-after.
    // The sixth failure was on r2, which blocked at once; r1 hears it through pub/sub.
    const err = await r2.authenticate(request(bearer(key.key), { sourceIp: ip })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'GH_ERR_AUTH_IP_BLOCKED', status: 403 });
    expect(Number((err as { headers: Record<string, string> }).headers['retry-after'])).toBeGreaterThan(0);
    await eventually(async () =>
      expect(await codeOf(r1.authenticate(request(bearer(key.key), { sourceIp: ip })))).toBe(
        'GH_ERR_AUTH_IP_BLOCKED',
      ),
    );
    // Other IPs are unaffected.
    expect(
      (await r2.authenticate(request(bearer(key.key), { sourceIp: '192.0.2.21' }))).identity.consumer,
    ).toBe('a');
  });

  it('does not count the gateway’s own outages (5xx) against the client', async () => {
    const ip = '192.0.2.30';
    const { svc } = await makeService(
      {
        ...input,
        jwt: { issuers: [{ issuer: 'http://127.0.0.1:1', audience: 'x', jwks: { timeoutMs: 200 } }] },
      },
      { store: s1 },
    );
    try {
      const h = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k' })).toString('base64url');
      const p = Buffer.from(
        JSON.stringify({ iss: 'http://127.0.0.1:1', aud: 'x', sub: 'a', exp: 9e9 }),
      ).toString('base64url');
      expect(await codeOf(svc.authenticate(request(bearer(`${h}.${p}.c2ln`), { sourceIp: ip })))).toBe(
        'GH_ERR_AUTH_JWKS_UNAVAILABLE',
      );
      expect(await s1.redis().get(`${prefix}auth:fail:{${ip}}`)).toBeNull();
    } finally {
      await svc.close();
    }
  });
});
