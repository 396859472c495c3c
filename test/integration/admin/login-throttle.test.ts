import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/gateway.js';
import { type AdminFixture, startAdminFixture } from './helpers.js';

/**
 * Failed operator logins through the real admin listener: refused credentials from one source
 * address (the loopback /8 gives the test several) or naming one operator lock that address or
 * operator — a valid credential included — with 429 GH_ERR_ADMIN_LOGIN_THROTTLED, and the lock is
 * an `admin.login_throttled` event in the audit sink. Other addresses and operators are unaffected.
 * Locks last 10 minutes here, so none can end while the test runs.
 */
let f: AdminFixture;
beforeAll(async () => {
  f = await startAdminFixture((_url, idp) => ({
    admin: {
      enabled: true,
      port: 0,
      oidc: { issuer: idp.issuer, audience: idp.audience },
      loginThrottle: { maxFailuresPerIp: 4, maxFailuresPerPrincipal: 2, baseLockSec: 600 },
    },
  }));
});
afterAll(async () => {
  await f?.close();
});

/** A GET from a given loopback source address (node:http: undici's fetch does not bind one). */
function get(
  ip: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; code: string | null; retryAfter: string | null }> {
  return new Promise((resolve, reject) => {
    const r = request(`${f.admin}${path}`, { headers, localAddress: ip }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => {
        const body = (text === '' ? {} : JSON.parse(text)) as { error?: { code: string } };
        const ra = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, code: body.error?.code ?? null, retryAfter: ra ?? null });
      });
    });
    r.on('error', reject);
    r.end();
  });
}
const from = (ip: string, headers: Record<string, string>) => get(ip, '/admin/v1/consumers', headers);

const auditOf = (action: string) =>
  readFileSync(f.auditFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l))
    .filter((e) => e.event.action === action);

describe('failed admin logins are throttled', () => {
  it('per operator: two refused tokens naming bob lock bob from every address, not carol', async () => {
    const wrongAudience = await f.idp.mint('bob', ['admin'], { audience: 'not-the-admin-api' });
    for (const ip of ['127.0.0.2', '127.0.0.3']) {
      const r = await from(ip, { authorization: `Bearer ${wrongAudience}` });
      expect(r).toMatchObject({ status: 401, code: 'GH_ERR_ADMIN_AUTH_INVALID' });
    }
    // A valid token of bob's, from a third address: refused without being checked.
    const bob = await f.idp.mint('bob', ['viewer']);
    const locked = await from('127.0.0.4', { authorization: `Bearer ${bob}` });
    expect(locked).toMatchObject({ status: 429, code: 'GH_ERR_ADMIN_LOGIN_THROTTLED' });
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    expect(Number(locked.retryAfter)).toBeLessThanOrEqual(600);
    const carol = await from('127.0.0.4', {
      authorization: `Bearer ${await f.idp.mint('carol', ['viewer'])}`,
    });
    expect(carol.status).toBe(200);

    await eventually(() => {
      const ev = auditOf('admin.login_throttled');
      expect(ev).toHaveLength(1);
      expect(ev[0]).toMatchObject({
        event: { outcome: 'failure', reason: 'GH_ERR_ADMIN_LOGIN_THROTTLED' },
        user: { id: 'oidc:bob' },
        source: { ip: '127.0.0.3' },
        gatehouse: { throttle: { scope: 'principal', failures: 2, lock_sec: 600 } },
      });
      // The refused attempt itself is an operator denial like any other.
      const denied = auditOf('admin.action').filter(
        (e) => e.gatehouse.admin.error_code === 'GH_ERR_ADMIN_LOGIN_THROTTLED',
      );
      expect(denied.length).toBeGreaterThanOrEqual(1);
    }, 10_000);
  });

  it('per address: four refused credentials from one address lock it, whoever it names', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await from('127.0.0.5', { authorization: `Bearer ${f.dataKey}` });
      expect(r.code).toBe('GH_ERR_ADMIN_AUTH_INVALID');
    }
    const dave = await f.idp.mint('dave', ['viewer']);
    const locked = await from('127.0.0.5', { authorization: `Bearer ${dave}` });
    expect(locked).toMatchObject({ status: 429, code: 'GH_ERR_ADMIN_LOGIN_THROTTLED' });
    // A failed console login callback counts against its address too, and is refused while locked.
    const cb = await get('127.0.0.5', '/admin/callback?state=x&code=y');
    expect(cb).toMatchObject({ status: 429, code: 'GH_ERR_ADMIN_LOGIN_THROTTLED' });
    // The same operator from another address is served.
    expect((await from('127.0.0.6', { authorization: `Bearer ${dave}` })).status).toBe(200);
    await eventually(() => {
      const ev = auditOf('admin.login_throttled').filter((e) => e.gatehouse.throttle.scope === 'ip');
      expect(ev).toHaveLength(1);
      expect(ev[0]).toMatchObject({ source: { ip: '127.0.0.5' }, gatehouse: { throttle: { failures: 4 } } });
    }, 10_000);
  });

  it('refused console login callbacks lock their address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await get('127.0.0.7', '/admin/callback?state=forged&code=x')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
  });
});
