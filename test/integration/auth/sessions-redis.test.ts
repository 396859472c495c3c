import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revocationId, revocationKey } from '../../../src/edge/auth/revocation.js';
import type { AuthService } from '../../../src/edge/auth/service.js';
import { generateApiKey, hashApiKey } from '../../../src/formats/api-key.js';
import { createRedisStore, type RedisStore } from '../../../src/store/redis.js';
import { eventually } from '../../helpers/gateway.js';
import { bearer, codeOf, makeService, request } from './fixtures.js';

const REDIS = process.env.GATEHOUSE_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const prefix = `ghtest:auth-sessions:${randomUUID()}:`;
const signingPem = generateKeyPairSync('ed25519')
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();
const key = generateApiKey('ghk_');
process.env.GH_TEST_SESSION_KEY = signingPem;

const authInput = {
  consumers: [
    {
      name: 'team-a',
      tier: 2,
      aliases: ['chat', 'embed'],
      scopes: ['infer', 'tools'],
      apiKeys: [{ id: key.id, hash: hashApiKey(key.key, undefined) }],
    },
  ],
  sessions: { enabled: true, signingKey: '${GH_TEST_SESSION_KEY}', defaultTtlSec: 300, maxTtlSec: 600 },
  revocation: { refreshMs: 1_000 },
  downstream: { mode: 'none' },
};

async function redisStore(): Promise<RedisStore> {
  const s = createRedisStore({ url: REDIS, prefix });
  await once(s.redis(), 'ready');
  return s;
}

let storeA: RedisStore;
let storeC: RedisStore;
let a: AuthService;
let c: AuthService;
let replica: ChildProcess;
let replicaUrl: string;

/** GET /v1/models on the replica gateway: 200 with the aliases this credential may use, or the error code. */
async function onReplica(token: string): Promise<{ status: number; code: string | null; models: string[] }> {
  const res = await fetch(`${replicaUrl}/v1/models`, { headers: bearer(token) });
  const body = (await res.json()) as { data?: Array<{ id: string }>; error?: { code: string } };
  return { status: res.status, code: body.error?.code ?? null, models: (body.data ?? []).map((m) => m.id) };
}

async function mint(body: Record<string, unknown>) {
  const { identity, root } = await a.authenticate(request(bearer(key.key)));
  return a.sessions!.mint(identity, root, body);
}

beforeAll(async () => {
  storeA = await redisStore();
  storeC = await redisStore();
  a = (await makeService(authInput, { store: storeA })).svc;
  c = (await makeService({ ...authInput, revocation: { refreshMs: 200 } }, { store: storeC })).svc;
  replica = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./replica.ts', import.meta.url))],
    {
      env: {
        ...process.env,
        GH_REPLICA_CONFIG: JSON.stringify({ auth: authInput, redisUrl: REDIS, prefix }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [line] = (await once(replica.stdout!, 'data')) as [Buffer];
  replicaUrl = line.toString().trim();
});

afterAll(async () => {
  replica?.kill('SIGTERM');
  await Promise.all([a?.close(), c?.close()]);
  const keys = await storeA.redis().keys(`${prefix}*`);
  if (keys.length > 0) await storeA.redis().del(...keys);
  await Promise.all([storeA?.close(), storeC?.close()]);
});

describe('session tokens', () => {
  it('a consumer gets a short-lived token for one agent and session, scoped to aliases, valid on every replica', async () => {
    const grant = await mint({
      agent: 'planner',
      session: 'sess-1',
      aliases: ['chat'],
      scopes: ['tools'],
      ttl_seconds: 60,
    });
    expect(grant).toMatchObject({
      token_type: 'Bearer',
      consumer: 'team-a',
      agent: 'planner',
      session: 'sess-1',
      aliases: ['chat'],
    });
    expect(grant.expires_in).toBeLessThanOrEqual(60);
    // The other process honours it, scoped: only the granted alias exists for this token.
    expect(await onReplica(grant.token)).toEqual({ status: 200, code: null, models: ['chat'] });
    expect((await onReplica(key.key)).models).toEqual(['chat', 'embed']);
    const { identity } = await c.authenticate(request(bearer(grant.token)));
    expect(identity).toMatchObject({
      consumer: 'team-a',
      agent: 'planner',
      session: 'sess-1',
      method: 'session',
      tier: 2,
      aliases: ['chat'],
      scopes: ['tools'],
    });
  });

  it('never grants more than the caller has, and a session token cannot mint another', async () => {
    expect(await codeOf(mint({ agent: 'x', aliases: ['chat', 'secret-model'] }))).toBe(
      'GH_ERR_AUTH_FORBIDDEN_ALIAS',
    );
    expect(await codeOf(mint({ agent: 'x', scopes: ['admin'] }))).toBe('GH_ERR_AUTH_FORBIDDEN_SCOPE');
    expect(await codeOf(mint({ agent: 'bad agent id' }))).toBe('GH_ERR_SCHEMA');
    const grant = await mint({ agent: 'x', ttl_seconds: 86_400 });
    expect(grant.expires_in).toBeLessThanOrEqual(600);
    const { identity, root } = await a.authenticate(request(bearer(grant.token)));
    expect(root).toBe('api_key');
    expect(await codeOf(a.sessions!.mint(identity, root, { agent: 'y' }))).toBe(
      'GH_ERR_AUTH_FORBIDDEN_SCOPE',
    );
  });

  it('a tampered or foreign-signed session token is refused', async () => {
    const grant = await mint({ agent: 'planner' });
    const [h, p, s] = grant.token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, gh_aliases: '*' })).toString('base64url')}.${s}`;
    expect((await onReplica(forged)).code).toBe('GH_ERR_AUTH_INVALID');
  });

  it('revoking a session is seen by a second process sharing Redis within one second', async () => {
    const grant = await mint({ agent: 'planner', session: 'sess-revoke' });
    expect((await onReplica(grant.token)).status).toBe(200);
    await a.sessions!.revoke((await a.authenticate(request(bearer(key.key)))).identity, {
      session: 'sess-revoke',
    });
    await eventually(
      async () => expect((await onReplica(grant.token)).code).toBe('GH_ERR_AUTH_REVOKED'),
      1_000,
    );
    // Other sessions of the same agent are untouched.
    expect((await onReplica((await mint({ agent: 'planner', session: 'sess-other' })).token)).status).toBe(
      200,
    );
  });

  it('revoking an agent ends all its sessions everywhere and refuses new ones', async () => {
    const s1 = await mint({ agent: 'rogue', session: 'r1' });
    const s2 = await mint({ agent: 'rogue', session: 'r2' });
    const { identity } = await a.authenticate(request(bearer(key.key)));
    await a.sessions!.revoke(identity, { agent: 'rogue' });
    await eventually(async () => {
      expect((await onReplica(s1.token)).code).toBe('GH_ERR_AUTH_REVOKED');
      expect((await onReplica(s2.token)).code).toBe('GH_ERR_AUTH_REVOKED');
    }, 1_000);
    expect(await codeOf(c.authenticate(request(bearer(s1.token))))).toBe('GH_ERR_AUTH_REVOKED');
    expect(await codeOf(mint({ agent: 'rogue' }))).toBe('GH_ERR_AUTH_REVOKED');
  });

  it('a replica that missed the pub/sub message still sees the revocation after refreshMs', async () => {
    const grant = await mint({ agent: 'quiet', session: 'q1' });
    expect((await c.authenticate(request(bearer(grant.token)))).identity.session).toBe('q1');
    // Written to the store without announcing it, as if the message was lost.
    await storeA.set(revocationKey('session', revocationId('team-a', 'q1')), '1', 60_000);
    await eventually(
      async () =>
        expect(await codeOf(c.authenticate(request(bearer(grant.token))))).toBe('GH_ERR_AUTH_REVOKED'),
      2_000,
    );
  });

  it('an API key revoked on one replica is refused by the other process', async () => {
    const other = generateApiKey('ghk_');
    const input = {
      ...authInput,
      consumers: [{ name: 'team-b', apiKeys: [{ id: other.id, hash: hashApiKey(other.key, undefined) }] }],
    };
    const b = (await makeService(input, { store: storeA })).svc;
    const d = (await makeService(input, { store: storeC })).svc;
    try {
      expect((await d.authenticate(request(bearer(other.key)))).identity.consumer).toBe('team-b');
      await b.revocations.revoke('key', other.id, 0);
      await eventually(
        async () =>
          expect(await codeOf(d.authenticate(request(bearer(other.key))))).toBe('GH_ERR_AUTH_REVOKED'),
        1_000,
      );
    } finally {
      await Promise.all([b.close(), d.close()]);
    }
  });
});
