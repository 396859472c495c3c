import { createHmac } from 'node:crypto';
import { type CryptoKey, exportSPKI, importJWK } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuthService } from '../../../src/edge/auth/service.js';
import { bearer, codeOf, makeService, request, startIssuer, type TestIssuer } from './fixtures.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const nowSec = () => Math.floor(Date.now() / 1000);

let iss: TestIssuer;
const open: AuthService[] = [];

beforeAll(async () => {
  iss = await startIssuer();
});
afterAll(async () => {
  await iss.close();
});
afterEach(async () => {
  iss.setDown(false);
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** A service trusting the test issuer, on a clock the test can move. */
async function service(extra: Record<string, unknown> = {}, jwks: Record<string, unknown> = {}) {
  const clock = { t: Date.now() };
  const { svc } = await makeService(
    {
      consumers: [
        { name: 'svc-a', tier: 2, aliases: ['chat', 'embed'], scopes: ['infer', 'admin'] },
        { name: 'svc-b', disabled: true },
      ],
      jwt: { issuers: [{ issuer: iss.issuer, audience: 'gatehouse', jwks, ...extra }] },
      downstream: { mode: 'none' },
    },
    { now: () => clock.t },
  );
  open.push(svc);
  return { svc, clock };
}

const good = (over: Record<string, unknown> = {}) => ({
  iss: iss.issuer,
  aud: 'gatehouse',
  sub: 'svc-a',
  scope: 'infer other',
  iat: nowSec(),
  exp: nowSec() + 600,
  ...over,
});

describe('OIDC bearer tokens against a real local issuer', () => {
  it('discovers the JWKS, verifies a token and maps claims to an identity', async () => {
    const { svc } = await service();
    await svc.warm();
    expect(iss.hits.discovery).toBeGreaterThan(0);
    const { identity, root } = await svc.authenticate(request(bearer(await iss.sign(good()))));
    expect(root).toBe('jwt');
    expect(identity).toMatchObject({ consumer: 'svc-a', method: 'jwt', tier: 2, aliases: ['chat', 'embed'] });
    // Claimed scopes are narrowed to the registry's ceiling.
    expect(identity.scopes).toEqual(['infer']);
  });

  it('maps configurable (and dotted) claim names to consumer, agent, session, tier and aliases', async () => {
    const { svc } = await service({
      claims: {
        consumer: 'client_id',
        agent: 'agent_id',
        session: 'sid',
        tier: 'gh.tier',
        aliases: 'gh.models',
        scopes: 'scp',
      },
    });
    const token = await iss.sign(
      good({
        sub: 'someone',
        client_id: 'svc-a',
        agent_id: 'planner',
        sid: 's-1',
        gh: { tier: 1, models: ['chat', 'other'] },
        scp: ['admin'],
      }),
    );
    const { identity } = await svc.authenticate(request(bearer(token)));
    expect(identity).toMatchObject({
      consumer: 'svc-a',
      agent: 'planner',
      session: 's-1',
      tier: 1,
      aliases: ['chat'],
      scopes: ['admin'],
    });
  });

  // One line per way a token can be wrong (jose's own test style).
  const wrong: Array<[string, () => Promise<string>, string]> = [
    ['expired', () => iss.sign(good({ iat: nowSec() - 7200, exp: nowSec() - 3600 })), 'GH_ERR_AUTH_EXPIRED'],
    ['not yet valid', () => iss.sign(good({ nbf: nowSec() + 3600 })), 'GH_ERR_AUTH_NOT_YET_VALID'],
    ['wrong issuer', () => iss.sign(good({ iss: 'https://evil.example' })), 'GH_ERR_AUTH_WRONG_ISSUER'],
    ['wrong audience', () => iss.sign(good({ aud: 'someone-else' })), 'GH_ERR_AUTH_WRONG_AUDIENCE'],
    ['no exp', () => iss.sign(good({ exp: undefined })), 'GH_ERR_AUTH_INVALID'],
    ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(good())}.`, 'GH_ERR_AUTH_ALGORITHM'],
    [
      'HS256 signed with the RSA public key',
      async () => {
        const pub = await importJWK(iss.key().publicJwk, 'RS256');
        const pem = await exportSPKI(pub as CryptoKey);
        const head = `${b64({ alg: 'HS256', kid: iss.key().kid })}.${b64(good())}`;
        return `${head}.${createHmac('sha256', pem).update(head).digest('base64url')}`;
      },
      'GH_ERR_AUTH_ALGORITHM',
    ],
    ['unknown kid', async () => iss.sign(good(), { key: await iss.stray() }), 'GH_ERR_AUTH_INVALID'],
    [
      'tampered payload',
      async () => {
        const [h, , s] = (await iss.sign(good())).split('.');
        return `${h}.${b64(good({ sub: 'svc-a', scope: 'admin' }))}.${s}`;
      },
      'GH_ERR_AUTH_INVALID',
    ],
    ['unregistered consumer', () => iss.sign(good({ sub: 'stranger' })), 'GH_ERR_AUTH_UNKNOWN_CONSUMER'],
    ['disabled consumer', () => iss.sign(good({ sub: 'svc-b' })), 'GH_ERR_AUTH_CONSUMER_DISABLED'],
    ['no consumer claim', () => iss.sign(good({ sub: undefined })), 'GH_ERR_AUTH_INVALID'],
    ['not a JWT', async () => 'eyJhbGciOiJSUzI1NiJ9.garbage.sig', 'GH_ERR_AUTH_MALFORMED'],
  ];
  it.each(wrong)('refuses a token that is %s', async (_name, make, code) => {
    const { svc } = await service();
    expect(await codeOf(svc.authenticate(request(bearer(await make()))))).toBe(code);
  });

  it('tolerates clock skew within clockToleranceSec only', async () => {
    const { svc } = await service({ clockToleranceSec: 60 });
    const skewed = await iss.sign(good({ exp: nowSec() - 30 }));
    expect((await svc.authenticate(request(bearer(skewed)))).identity.consumer).toBe('svc-a');
    const tooOld = await iss.sign(good({ exp: nowSec() - 120 }));
    expect(await codeOf(svc.authenticate(request(bearer(tooOld))))).toBe('GH_ERR_AUTH_EXPIRED');
  });

  it('the verified-token cache never outlives the token', async () => {
    const { svc, clock } = await service({ clockToleranceSec: 5 });
    const token = await iss.sign(good({ exp: nowSec() + 10 }));
    expect((await svc.authenticate(request(bearer(token)))).identity.consumer).toBe('svc-a');
    expect((await svc.authenticate(request(bearer(token)))).identity.consumer).toBe('svc-a');
    clock.t += 20_000;
    expect(await codeOf(svc.authenticate(request(bearer(token))))).toBe('GH_ERR_AUTH_EXPIRED');
  });

  it('records a request from an unregistered consumer as its own event', async () => {
    const { svc } = await service();
    const r = request(bearer(await iss.sign(good({ sub: 'stranger' }))));
    expect(await codeOf(svc.authenticate(r))).toBe('GH_ERR_AUTH_UNKNOWN_CONSUMER');
    expect(r.events).toContainEqual({ action: 'consumer.unknown', reason: 'not_registered', method: 'jwt' });
    expect(r.events).toContainEqual({
      action: 'auth.failure',
      reason: 'GH_ERR_AUTH_UNKNOWN_CONSUMER',
      method: 'jwt',
    });
  });

  it('accepts unregistered consumers only when the issuer is told to', async () => {
    const { svc } = await service({ requireRegisteredConsumer: false, defaultTier: 1 });
    const { identity } = await svc.authenticate(request(bearer(await iss.sign(good({ sub: 'stranger' })))));
    expect(identity).toMatchObject({
      consumer: 'stranger',
      tier: 1,
      aliases: '*',
      scopes: ['infer', 'other'],
    });
  });
});

describe('JWKS caching, rotation and outages', () => {
  it('a rotated key (new kid) triggers exactly one refetch once the cooldown has passed', async () => {
    const { svc, clock } = await service({}, { cooldownMs: 30_000 });
    await svc.warm();
    const before = iss.hits.jwks;
    await iss.rotate({ alg: 'ES256' });
    const rotated = await iss.sign(good());
    // Inside the cooldown an unknown kid does not refetch (no fetch storm from forged kids).
    expect(await codeOf(svc.authenticate(request(bearer(rotated))))).toBe('GH_ERR_AUTH_INVALID');
    expect(iss.hits.jwks).toBe(before);
    clock.t += 31_000;
    expect((await svc.authenticate(request(bearer(rotated)))).identity.consumer).toBe('svc-a');
    expect(iss.hits.jwks).toBe(before + 1);
    // The new key is now cached: no further fetch.
    await svc.authenticate(request(bearer(await iss.sign(good()))));
    expect(iss.hits.jwks).toBe(before + 1);
    // A forged kid right after the refetch is refused without another fetch.
    expect(
      await codeOf(svc.authenticate(request(bearer(await iss.sign(good(), { key: await iss.stray() }))))),
    ).toBe('GH_ERR_AUTH_INVALID');
    expect(iss.hits.jwks).toBe(before + 1);
  });

  it('JWKS down with a cold cache: refuses with its own code (fail closed)', async () => {
    const token = await iss.sign(good());
    iss.setDown(true);
    const { svc } = await service();
    await svc.warm();
    const err = await svc.authenticate(request(bearer(token))).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'GH_ERR_AUTH_JWKS_UNAVAILABLE', status: 503 });
    expect((err as { headers: Record<string, string> }).headers['retry-after']).toMatch(/^\d+$/);
  });

  it('JWKS down with a warm cache: cached keys keep verifying, past cacheMaxAge too, until maxStaleMs', async () => {
    const { svc, clock } = await service({}, { cacheMaxAgeMs: 60_000, maxStaleMs: 600_000 });
    await svc.warm();
    const token = await iss.sign(good({ exp: nowSec() + 3600 }));
    iss.setDown(true);
    expect((await svc.authenticate(request(bearer(token)))).identity.consumer).toBe('svc-a');
    clock.t += 120_000; // stale: a background refresh fails, the cache still answers
    expect((await svc.authenticate(request(bearer(token)))).identity.consumer).toBe('svc-a');
    clock.t += 600_000; // beyond maxStaleMs: no trusted keys left
    expect(await codeOf(svc.authenticate(request(bearer(token))))).toBe('GH_ERR_AUTH_JWKS_UNAVAILABLE');
    iss.setDown(false);
    clock.t += 10_000; // past retryMs: the next request refetches and recovers
    expect((await svc.authenticate(request(bearer(token)))).identity.consumer).toBe('svc-a');
  });

  it('uses jwksUri directly when given (no discovery)', async () => {
    const before = iss.hits.discovery;
    const { svc } = await service({ jwksUri: iss.jwksUri });
    expect((await svc.authenticate(request(bearer(await iss.sign(good()))))).identity.method).toBe('jwt');
    expect(iss.hits.discovery).toBe(before);
  });

  it('refuses a discovery document that names another issuer', async () => {
    // Same server, but configured under a different issuer string (trailing path): the document disagrees.
    const other = `${iss.issuer}/tenant`;
    const { svc } = await makeService({
      consumers: [{ name: 'svc-a' }],
      jwt: { issuers: [{ issuer: other, audience: 'gatehouse' }] },
      downstream: { mode: 'none' },
    });
    open.push(svc);
    const token = await iss.sign(good({ iss: other }));
    expect(await codeOf(svc.authenticate(request(bearer(token))))).toBe('GH_ERR_AUTH_JWKS_UNAVAILABLE');
  });
});
