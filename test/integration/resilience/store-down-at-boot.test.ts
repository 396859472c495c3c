import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RESILIENCE } from '../../../src/resilience/slots.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { PrivateRedis } from '../limits/redis-server.js';
import { admin, chat, freshPrefix } from './helpers.js';

/**
 * A replica that (re)starts during a store outage comes up: the kill switch's file flag works at
 * once, requests are refused closed while key revocations cannot be checked, and once Redis is back the replica joins the
 * others (a kill switch engaged through another replica reaches it).
 */
const dir = mkdtempSync(join(tmpdir(), 'gh-store-boot-'));
const flag = join(dir, 'KILL');
const prefix = freshPrefix();
let redis: PrivateRedis | undefined;
const gws: TestGateway[] = [];
afterAll(async () => {
  await Promise.all(gws.map((g) => g.close()));
  await redis?.kill();
  rmSync(dir, { recursive: true, force: true });
});

const start = (url: string) =>
  startTestGateway({
    config: (u) => ({
      store: { kind: 'redis', url, prefix, commandTimeoutMs: 300 },
      routes: [demoRoute(u)],
      resilience: { killSwitch: { pollMs: 100, file: flag } },
    }),
  });

describe('the store down at boot', () => {
  it('starts, refuses closed while revocations cannot be checked, honours the file flag, and joins the store when it returns', async () => {
    redis = await PrivateRedis.start();
    await redis.kill(); // the port is known and nothing answers on it
    const a = await start(redis.url);
    gws.push(a);
    // Up, and closed where it must be: key revocations cannot be checked without the store.
    expect((await chat(a.gw.url, a.authHeaders)).code).toBe('GH_ERR_AUTH_UNAVAILABLE');
    writeFileSync(flag, '');
    await eventually(async () =>
      expect((await chat(a.gw.url, a.authHeaders)).code).toBe('GH_ERR_MAINTENANCE'),
    );
    rmSync(flag);
    await eventually(async () =>
      expect((await chat(a.gw.url, a.authHeaders)).code).toBe('GH_ERR_AUTH_UNAVAILABLE'),
    );

    await redis.up();
    await eventually(async () => expect((await chat(a.gw.url, a.authHeaders)).status).toBe(200), 30_000);
    const b = await start(redis.url);
    gws.push(b);
    await admin(b.gw.rt, 'POST', '/killswitch/engage', { scope: 'all' });
    await eventually(
      async () => expect((await chat(a.gw.url, a.authHeaders)).code).toBe('GH_ERR_MAINTENANCE'),
      30_000,
    );
    expect(RESILIENCE.require(a.gw.rt).killSwitch.storeReachable()).toBe(true);
  }, 90_000);
});
