import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthService } from '../../../src/edge/auth/service.js';
import { createSessionHandlers, SESSION_ROUTES } from '../../../src/edge/auth/sessions-handler.js';
import { AUTH, AUTH_ROOT_METHOD } from '../../../src/edge/auth/slots.js';
import { generateApiKey, hashApiKey } from '../../../src/formats/api-key.js';
import type { RequestContext } from '../../../src/pipeline/context.js';
import type { Runtime } from '../../../src/pipeline/runtime.js';
import { bearer, codeOf, makeService, request } from '../../integration/auth/fixtures.js';

const key = generateApiKey('ghk_');
process.env.GH_UNIT_SESSION_KEY = generateKeyPairSync('ed25519')
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();
let svc: AuthService;
let off: AuthService;

beforeAll(async () => {
  const consumers = [
    { name: 'a', aliases: ['chat'], apiKeys: [{ id: key.id, hash: hashApiKey(key.key, undefined) }] },
  ];
  svc = (await makeService({ consumers, sessions: { enabled: true, signingKey: '${GH_UNIT_SESSION_KEY}' } }))
    .svc;
  off = (await makeService({ consumers })).svc;
});
afterAll(async () => {
  await Promise.all([svc.close(), off.close()]);
});

async function ctxFor(s: AuthService, body: unknown): Promise<RequestContext> {
  const { identity, root } = await s.authenticate(request(bearer(key.key)));
  const ctx = { identity, body } as unknown as RequestContext;
  AUTH_ROOT_METHOD.set(ctx, root);
  return ctx;
}

function rtWith(auth: AuthService): Runtime {
  const rt = { services: {} } as unknown as Runtime;
  AUTH.set(rt, auth);
  return rt;
}

describe('session endpoints', () => {
  it('declares its routes for the server to mount', () => {
    expect(SESSION_ROUTES.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/gatehouse/sessions',
      'POST /v1/gatehouse/sessions/revoke',
    ]);
  });

  it('create returns a token for the caller; revoke revokes the caller’s own session', async () => {
    const h = createSessionHandlers(rtWith(svc));
    const grant = (await h.create(await ctxFor(svc, { agent: 'bot', session: 's1' }))) as {
      token: string;
      aliases: string[];
    };
    expect(grant.aliases).toEqual(['chat']);
    const { identity } = await svc.authenticate(request(bearer(grant.token)));
    expect(identity).toMatchObject({ consumer: 'a', agent: 'bot', session: 's1', method: 'session' });
    expect(await h.revoke(await ctxFor(svc, { session: 's1' }))).toEqual({ revoked: 'session', id: 's1' });
    expect(await codeOf(svc.authenticate(request(bearer(grant.token))))).toBe('GH_ERR_AUTH_REVOKED');
    expect(await codeOf(h.revoke(await ctxFor(svc, { session: 's1', agent: 'bot' })))).toBe('GH_ERR_SCHEMA');
  });

  it('answers 404 when sessions are disabled, 401 without an identity', async () => {
    const h = createSessionHandlers(rtWith(off));
    expect(await codeOf(h.create(await ctxFor(off, { agent: 'bot' })))).toBe('GH_ERR_NOT_FOUND');
    const on = createSessionHandlers(rtWith(svc));
    expect(await codeOf(on.create({ identity: null, body: {} } as unknown as RequestContext))).toBe(
      'GH_ERR_AUTH_MISSING',
    );
  });
});
