import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killCommand } from '../../../src/cli/kill.js';
import { RESILIENCE } from '../../../src/resilience/slots.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { admin, chat, freshPrefix, REDIS_URL } from './helpers.js';

/**
 * The kill switch across three replicas on real Redis: engaged on one (admin API, CLI or file flag),
 * honoured by all, answered before the limiter, the detectors and the upstream, released only with a
 * reason, visible on /health and in the audit log.
 */
const prefix = freshPrefix();
const dir = mkdtempSync(join(tmpdir(), 'gh-kill-'));
const flag = join(dir, 'KILL');
let gws: TestGateway[] = [];

beforeAll(async () => {
  gws = await Promise.all(
    [0, 1, 2].map(() =>
      startTestGateway({
        config: (url) => ({
          store: { kind: 'redis', url: REDIS_URL, prefix },
          routes: [demoRoute(url), demoRoute(url, { alias: 'other' })],
          resilience: { killSwitch: { pollMs: 200, file: flag, retryAfterS: 42 } },
        }),
      }),
    ),
  );
  // Every replica has read the (empty) store once.
  for (const g of gws) await RESILIENCE.require(g.gw.rt).killSwitch.refresh();
});
afterAll(async () => {
  await Promise.all(gws.map((g) => g.close()));
  rmSync(dir, { recursive: true, force: true });
});

const serving = async (g: TestGateway) => expect((await chat(g.gw.url, g.authHeaders)).status).toBe(200);
const maintenance = async (g: TestGateway, model = 'demo') => {
  const r = await chat(g.gw.url, g.authHeaders, 'hello', { model });
  expect(r.status).toBe(503);
  expect(r.code).toBe('GH_ERR_MAINTENANCE');
  expect(r.headers.get('retry-after')).toBe('42');
};

describe('kill switch', () => {
  it('engaged on one replica through the admin API stops all three without touching the upstream', async () => {
    const [a, b, c] = gws as [TestGateway, TestGateway, TestGateway];
    for (const g of gws) await serving(g);
    const res = await admin(a.gw.rt, 'POST', '/killswitch/engage', { scope: 'all' });
    expect(res.change?.target).toBe('killswitch:all');
    const before = gws.map((g) => g.upstream.received.length);
    await eventually(() => maintenance(b));
    await eventually(() => maintenance(c));
    await maintenance(a);
    expect(gws.map((g) => g.upstream.received.length)).toEqual(before);
    // /health reports it; the audit log names who and why on every replica.
    const health = (await (await fetch(`${b.gw.healthUrl}/health`)).json()) as Record<string, unknown>;
    expect(health.kill_switch).toMatchObject({ engaged: true, scopes: ['all'] });
    expect(health.pace).toMatchObject({ demo: 'emergency', other: 'emergency' });
    for (const g of gws)
      await eventually(() =>
        expect(g.logs.lines.find((l) => l.event === 'killswitch.engaged')).toMatchObject({
          scope: 'all',
          by: 'alice',
          reason: 'incident INC-42: suspected compromise',
        }),
      );
    // The request's audit log line carries the state; the limiter never saw it (no rate headers).
    const r = await chat(c.gw.url, c.authHeaders);
    expect(r.headers.get('x-ratelimit-remaining-requests')).toBeNull();
  });

  it('is released only with a reason, by an operator, and every replica serves again', async () => {
    const [a, b] = gws as [TestGateway, TestGateway];
    await expect(admin(a.gw.rt, 'POST', '/killswitch/release', { scope: 'all' }, '')).rejects.toMatchObject({
      code: 'GH_ERR_RESILIENCE_REQUEST',
    });
    await maintenance(b);
    const res = await admin(
      b.gw.rt,
      'POST',
      '/killswitch/release',
      { scope: 'all' },
      'INC-42 contained',
      'bob',
    );
    expect(res.body).toEqual({ released: true });
    for (const g of gws) await eventually(() => serving(g));
    await eventually(() =>
      expect(a.logs.lines.find((l) => l.event === 'killswitch.released')).toMatchObject({
        by: 'bob',
        reason: 'INC-42 contained',
      }),
    );
  });

  it('the CLI engages one route on every replica; other routes keep serving', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    const args = ['--scope', 'route', '--target', 'demo', '--redis', REDIS_URL, '--redis-prefix', prefix];
    expect(await killCommand([...args, '--reason', 'bad model output'], io)).toBe(0);
    for (const g of gws) {
      await eventually(() => maintenance(g, 'demo'));
      expect((await chat(g.gw.url, g.authHeaders, 'hi', { model: 'other' })).status).toBe(200);
    }
    // Release without a reason is refused by the CLI too.
    expect(await killCommand([...args, '--release'], io)).toBe(2);
    expect(await killCommand([...args, '--release', '--reason', 'fixed'], io)).toBe(0);
    for (const g of gws) await eventually(() => serving(g));
  });

  it('a consumer scope stops that consumer only', async () => {
    const [a] = gws as [TestGateway];
    await admin(a.gw.rt, 'POST', '/killswitch/engage', { scope: 'consumer', target: 'demo' });
    for (const g of gws) await eventually(() => maintenance(g));
    await admin(a.gw.rt, 'POST', '/killswitch/release', { scope: 'consumer', target: 'demo' }, 'ok now');
    for (const g of gws) await eventually(() => serving(g));
  });

  it('the file flag engages without the store; removing it releases', async () => {
    writeFileSync(flag, JSON.stringify({ scope: 'route', target: 'other', reason: 'control plane down' }));
    for (const g of gws) {
      await eventually(() => maintenance(g, 'other'));
      await serving(g);
    }
    rmSync(flag);
    for (const g of gws)
      await eventually(async () =>
        expect((await chat(g.gw.url, g.authHeaders, 'hi', { model: 'other' })).status).toBe(200),
      );
  });
});
