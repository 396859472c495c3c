import { describe, expect, it } from 'vitest';
import { authorizeRouteStage } from '../../../src/edge/auth/authorize-stage.js';
import type { AuthService } from '../../../src/edge/auth/service.js';
import { AUTH, AUTH_ROOT_METHOD } from '../../../src/edge/auth/slots.js';
import type { AuthMethod, Identity, Tier } from '../../../src/identity.js';
import type { RequestContext } from '../../../src/pipeline/context.js';
import type { Runtime, RuntimeRoute } from '../../../src/pipeline/runtime.js';

const identity = (over: Partial<Identity> = {}): Identity => ({
  consumer: 'c',
  agent: null,
  session: null,
  tier: 3,
  method: 'jwt',
  scopes: [],
  aliases: '*',
  plan: null,
  sourceIp: '127.0.0.1',
  userAgent: '',
  ...over,
});

/** Consumer "c" pinned the certificate whose fingerprint is PINNED. */
const rt = { services: {} } as unknown as Runtime;
AUTH.set(rt, {
  certPinnedFor: (cert: { fingerprint256: string }, who: string) =>
    cert.fingerprint256 === 'PINNED' && who === 'c',
} as unknown as AuthService);

function run(
  tier: Tier,
  id: Identity | null,
  extra: { root?: AuthMethod; cert?: 'pinned' | 'unpinned' } = {},
): string {
  if (authorizeRouteStage.scope !== 'route') throw new Error('expected a route stage');
  const stage = authorizeRouteStage.create(rt, { alias: 'm', tier } as RuntimeRoute)!;
  const ctx = {
    identity: id,
    peerCertificate: extra.cert
      ? ({ subject: { CN: 'x' }, fingerprint256: extra.cert === 'pinned' ? 'PINNED' : 'OTHER' } as unknown)
      : null,
  } as RequestContext;
  if (extra.root !== undefined) AUTH_ROOT_METHOD.set(ctx, extra.root);
  try {
    stage(ctx);
    return 'ok';
  } catch (err) {
    return (err as { code: string }).code;
  }
}

describe('authorize stage (tier rules per request)', () => {
  it.each([
    ['tier 1 accepts an API key', 1, identity({ method: 'api_key' }), {}, 'ok'],
    ['tier 2 refuses an API key', 2, identity({ method: 'api_key' }), {}, 'GH_ERR_AUTH_METHOD_NOT_ALLOWED'],
    [
      'tier 2 refuses a session minted with an API key',
      2,
      identity({ method: 'session' }),
      { root: 'api_key' },
      'GH_ERR_AUTH_METHOD_NOT_ALLOWED',
    ],
    ['tier 2 accepts a session minted with a JWT', 2, identity({ method: 'session' }), { root: 'jwt' }, 'ok'],
    ['tier 2 accepts a JWT', 2, identity(), {}, 'ok'],
    ['tier 3 refuses a JWT without a client certificate', 3, identity(), {}, 'GH_ERR_AUTH_MTLS_REQUIRED'],
    ['tier 3 accepts a JWT over a pinned certificate', 3, identity(), { cert: 'pinned' }, 'ok'],
    [
      'tier 3 refuses a JWT over an unpinned certificate from the trusted CA',
      3,
      identity(),
      { cert: 'unpinned' },
      'GH_ERR_AUTH_CERT_NOT_PINNED',
    ],
    [
      "tier 3 refuses a JWT over another consumer's pinned certificate",
      3,
      identity({ consumer: 'd' }),
      { cert: 'pinned' },
      'GH_ERR_AUTH_CERT_NOT_PINNED',
    ],
    [
      'tier 3 accepts an mTLS identity with its pinned certificate',
      3,
      identity({ method: 'mtls' }),
      { cert: 'pinned' },
      'ok',
    ],
    [
      'tier 3 refuses an mTLS identity whose certificate is not pinned',
      3,
      identity({ method: 'mtls' }),
      { cert: 'unpinned' },
      'GH_ERR_AUTH_CERT_NOT_PINNED',
    ],
    ['tier 2 accepts a JWT over an unpinned certificate', 2, identity(), { cert: 'unpinned' }, 'ok'],
    [
      'a tier 1 consumer may not call a tier 2 route',
      2,
      identity({ tier: 1 }),
      {},
      'GH_ERR_AUTH_TIER_FORBIDDEN',
    ],
    ['no identity at all', 1, null, {}, 'GH_ERR_AUTH_MISSING'],
  ] as const)('%s', (_n, tier, id, extra, expected) => {
    expect(run(tier, id, extra)).toBe(expected);
  });
});
