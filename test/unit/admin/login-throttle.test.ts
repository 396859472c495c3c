import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createLoginThrottle, type LockEvent } from '../../../src/admin/login-throttle.js';
import { adminSchema } from '../../../src/config/schema/admin.js';
import { GatehouseError } from '../../../src/errors/gatehouse-error.js';
import { generateApiKey } from '../../../src/formats/api-key.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import type { Store } from '../../../src/store/types.js';

/** A request as the throttle reads it: source address and the Authorization header. */
const req = (ip: string, authorization?: string): IncomingMessage =>
  ({
    socket: { remoteAddress: ip },
    headers: authorization === undefined ? {} : { authorization },
  }) as unknown as IncomingMessage;

/** An unsigned JWT naming `sub` (the throttle reads the claim without verifying, as a counter name). */
const claiming = (sub: string): string =>
  `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub })).toString('base64url')}.x`;

const throttled = async (p: Promise<void>): Promise<string | null> => {
  try {
    await p;
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(GatehouseError);
    const e = err as GatehouseError;
    expect(e.code).toBe('GH_ERR_ADMIN_LOGIN_THROTTLED');
    return e.headers?.['retry-after'] ?? '';
  }
};

function setup(over: Record<string, number> = {}) {
  let t = 1_000_000;
  const now = () => t;
  const store = createMemoryStore(now);
  const cfg = adminSchema.parse({
    loginThrottle: {
      maxFailuresPerIp: 3,
      maxFailuresPerPrincipal: 2,
      baseLockSec: 60,
      maxLockSec: 300,
      ...over,
    },
  }).loginThrottle;
  const locks: LockEvent[] = [];
  const th = createLoginThrottle(store, cfg, 'sub', (e) => locks.push(e), now);
  return { th, locks, advance: (ms: number) => (t += ms) };
}

describe('admin login throttle', () => {
  it('locks a claimed principal at its limit, from any address, and doubles the lock on each further failure', async () => {
    const { th, locks, advance } = setup();
    await th.failed(req('10.0.0.1', claiming('bob')));
    expect(await throttled(th.check(req('10.0.0.9', claiming('bob'))))).toBeNull();
    await th.failed(req('10.0.0.2', claiming('bob')));
    expect(locks).toEqual([
      { scope: 'principal', subject: 'oidc:bob', failures: 2, lockSec: 60, sourceIp: '10.0.0.2' },
    ]);
    expect(await throttled(th.check(req('10.0.0.9', claiming('bob'))))).toBe('60');
    expect(await throttled(th.check(req('10.0.0.9', claiming('carol'))))).toBeNull();
    advance(61_000);
    expect(await throttled(th.check(req('10.0.0.9', claiming('bob'))))).toBeNull();
    await th.failed(req('10.0.0.3', claiming('bob')));
    expect(await throttled(th.check(req('10.0.0.9', claiming('bob'))))).toBe('120');
    advance(121_000);
    await th.failed(req('10.0.0.4', claiming('bob')));
    expect(await throttled(th.check(req('10.0.0.9', claiming('bob'))))).toBe('240');
    advance(241_000);
    await th.failed(req('10.0.0.5', claiming('bob')));
    // Capped at maxLockSec.
    expect(await throttled(th.check(req('10.0.0.9', claiming('bob'))))).toBe('300');
  });

  it('locks a source address at its limit whatever principal it names, and only that address', async () => {
    const { th, locks } = setup();
    for (const who of ['a', 'b', 'c']) await th.failed(req('10.0.0.7', claiming(who)));
    expect(locks.map((l) => [l.scope, l.subject])).toEqual([['ip', '10.0.0.7']]);
    expect(await throttled(th.check(req('10.0.0.7', claiming('dave'))))).toBe('60');
    expect(await throttled(th.check(req('10.0.0.7')))).toBe('60');
    expect(await throttled(th.check(req('10.0.0.8', claiming('dave'))))).toBeNull();
  });

  it('an admin key counts under its public id; a verified login clears the principal count', async () => {
    const { th, locks } = setup();
    const generated = generateApiKey('gha_');
    const key = `Bearer ${generated.key}`;
    await th.failed(req('10.0.0.1', key));
    await th.succeeded(req('10.0.0.1', key));
    await th.failed(req('10.0.0.2', key));
    expect(locks).toEqual([]);
    await th.failed(req('10.0.0.3', key));
    expect(locks.map((l) => l.subject)).toEqual([`key:${generated.id}`]);
  });

  it('refuses the login when the store does not answer (closed)', async () => {
    const broken = {
      get: () => Promise.reject(new Error('down')),
      incrWindow: () => Promise.reject(new Error('down')),
    } as unknown as Store;
    const cfg = adminSchema.parse({}).loginThrottle;
    const th = createLoginThrottle(broken, cfg, 'sub', () => undefined);
    await expect(th.check(req('10.0.0.1'))).rejects.toMatchObject({ code: 'GH_ERR_ADMIN_UNAVAILABLE' });
    await expect(th.failed(req('10.0.0.1'))).rejects.toMatchObject({ code: 'GH_ERR_ADMIN_UNAVAILABLE' });
  });
});
