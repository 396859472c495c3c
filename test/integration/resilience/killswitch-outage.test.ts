import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESILIENCE } from '../../../src/resilience/slots.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { PrivateRedis } from '../limits/redis-server.js';
import { admin, chat, freshPrefix } from './helpers.js';

/**
 * The kill switch when everything behind it is dead: the store killed (SIGKILL), the upstream
 * closed, the external classifier unreachable (and configured to fail closed). Replicas keep the last
 * state they read and still honour the file flag.
 */
let redis: PrivateRedis;
const dir = mkdtempSync(join(tmpdir(), 'gh-kill-outage-'));
const flag = join(dir, 'KILL');
const prefix = freshPrefix();
let gws: TestGateway[] = [];

beforeAll(async () => {
  redis = await PrivateRedis.start();
  gws = await Promise.all(
    [0, 1].map(() =>
      startTestGateway({
        config: (url) => ({
          store: { kind: 'redis', url: redis.url, prefix, commandTimeoutMs: 300 },
          routes: [demoRoute(url)],
          resilience: { killSwitch: { pollMs: 100, file: flag } },
          // A detector that can only fail: an external classifier on a closed port, failing closed.
          guard: {
            injection: {
              http: {
                kind: 'openai-moderation',
                url: 'http://127.0.0.1:9/moderations',
                onError: 'block',
                timeoutMs: 200,
              },
            },
          },
        }),
      }),
    ),
  );
  for (const g of gws) await RESILIENCE.require(g.gw.rt).killSwitch.refresh();
});
afterAll(async () => {
  await Promise.all(gws.map((g) => g.close()));
  await redis.kill();
  rmSync(dir, { recursive: true, force: true });
});

const maintenance = async (g: TestGateway) => {
  const r = await chat(g.gw.url, g.authHeaders);
  expect(r.status).toBe(503);
  expect(r.code).toBe('GH_ERR_MAINTENANCE');
  expect(r.headers.get('retry-after')).toBe('120');
};

describe('kill switch with the store, the upstream and the detectors dead', () => {
  it('keeps the last known state after the store dies, in front of auth, guard and upstream', async () => {
    const [a, b] = gws as [TestGateway, TestGateway];
    // Before: the dead classifier fails requests closed (the guard's answer, not maintenance).
    expect((await chat(b.gw.url, b.authHeaders)).code).toBe('GH_ERR_GUARD_UNAVAILABLE');
    await admin(a.gw.rt, 'POST', '/killswitch/engage', { scope: 'all' });
    await eventually(() => maintenance(b));

    await redis.kill();
    await Promise.all(gws.map((g) => g.upstream.close()));
    await eventually(() => expect(RESILIENCE.require(b.gw.rt).killSwitch.storeReachable()).toBe(false));
    // Polls fail now; the last state holds on both replicas.
    for (const g of gws) await maintenance(g);
    const health = (await (await fetch(`${a.gw.healthUrl}/health`)).json()) as Record<string, unknown>;
    expect(health.kill_switch).toMatchObject({ engaged: true, store_reachable: false });
  });

  it('honours the file flag while the store is down (empty store after a restart)', async () => {
    const [b] = gws.slice(1) as [TestGateway];
    await redis.up(); // a fresh, empty Redis: the store-engaged entry is gone
    for (const g of gws)
      await eventually(() => expect(RESILIENCE.require(g.gw.rt).killSwitch.engaged()).toEqual([]));
    await redis.kill();
    expect((await chat(b.gw.url, b.authHeaders)).code).not.toBe('GH_ERR_MAINTENANCE');
    writeFileSync(flag, '');
    for (const g of gws) await eventually(() => maintenance(g));
    rmSync(flag);
    for (const g of gws)
      await eventually(async () =>
        expect((await chat(g.gw.url, g.authHeaders)).code).not.toBe('GH_ERR_MAINTENANCE'),
      );
  });
});
