import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/gateway.js';
import { type AdminFixture, startAdminFixture } from './helpers.js';

/**
 * The admin listener end to end: its own port and credentials, the role check, the reason, a
 * quota change that the data plane applies at once, and the operator audit event in the same
 * audit sink as the data plane's events.
 */
let f: AdminFixture;
beforeAll(async () => {
  f = await startAdminFixture();
});
afterAll(async () => {
  await f?.close();
});

const auditLines = () =>
  readFileSync(f.auditFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l))
    .filter((e) => e.event.action === 'admin.action');

describe('admin listener', () => {
  it('runs on its own port, not the data plane’s', () => {
    expect(f.admin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new URL(f.admin).port).not.toBe(new URL(f.t.gw.url).port);
  });

  it('the data plane does not serve admin paths', async () => {
    for (const path of ['/admin/v1/consumers', '/admin/', '/admin/v1/openapi.json']) {
      const res = await fetch(`${f.t.gw.url}${path}`, { headers: { authorization: `Bearer ${f.dataKey}` } });
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).not.toMatch(/^GH_ERR_ADMIN/);
    }
  });

  it('refuses data-plane credentials, and audits the denial', async () => {
    const asKey = await f.call('GET', '/admin/v1/consumers', { token: f.dataKey });
    expect(asKey.status).toBe(401);
    expect(asKey.body.error.code).toBe('GH_ERR_ADMIN_AUTH_INVALID');
    const viaHeader = await f.call('GET', '/admin/v1/consumers', { headers: { 'x-api-key': f.dataKey } });
    expect(viaHeader.body.error.code).toBe('GH_ERR_ADMIN_AUTH_INVALID');
    // A token of the right issuer but for another audience (e.g. a consumer's data-plane token).
    const otherAud = await f.idp.mint('someone', ['admin'], { audience: 'gatehouse-data-plane' });
    expect((await f.call('GET', '/admin/v1/consumers', { token: otherAud })).status).toBe(401);
    const none = await f.call('GET', '/admin/v1/consumers');
    expect(none.body.error.code).toBe('GH_ERR_ADMIN_AUTH_MISSING');
    await eventually(() => {
      const denied = auditLines().filter((e) => e.gatehouse.admin.outcome === 'denied');
      expect(denied.length).toBeGreaterThanOrEqual(4);
      expect(denied[0].gatehouse.admin.error_code).toBe('GH_ERR_ADMIN_AUTH_INVALID');
    });
  });

  it('a mutation needs a reason and the declared role', async () => {
    const viewer = await f.token(['viewer']);
    const op = await f.token(['operator']);
    const body = { limits: { requests: { perMinute: 5 } } };
    const denied = await f.call('PUT', '/admin/v1/consumers/acme/quota', {
      token: viewer,
      body,
      reason: 'tighten',
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('GH_ERR_ADMIN_FORBIDDEN');
    const noReason = await f.call('PUT', '/admin/v1/consumers/acme/quota', { token: op, body });
    expect(noReason.body.error.code).toBe('GH_ERR_ADMIN_REASON_REQUIRED');
    const bad = await f.call('PUT', '/admin/v1/consumers/acme/quota', {
      token: op,
      body: { limits: { requests: { perMinute: -1 } } },
      reason: 'typo',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('GH_ERR_ADMIN_INVALID');
    const unknown = await f.call('PUT', '/admin/v1/consumers/nobody/quota', {
      token: op,
      body,
      reason: 'who',
    });
    expect(unknown.body.error.code).toBe('GH_ERR_ADMIN_NOT_FOUND');
  });

  it('a quota change applies to the data plane at once and is one audit event', async () => {
    const op = await f.token(['operator'], 'alice');
    const client = f.t.client({ apiKey: f.dataKey });
    const ask = () =>
      client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] });
    await ask();
    const r = await f.call('PUT', '/admin/v1/consumers/acme/quota', {
      token: op,
      body: { limits: { requests: { perMinute: 2, burst: 0 } } },
      reason: 'INC-42 runaway agent',
    });
    expect(r.status).toBe(200);
    expect(r.body.value).toEqual({ requests: { perMinute: 2, burst: 0, sustainMinutes: 5 } });
    // One request already counted this minute: one more fits, the third is refused.
    await ask();
    await expect(ask()).rejects.toMatchObject({ status: 429, code: 'GH_ERR_RATE_REQUESTS' });

    const view = await f.call('GET', '/admin/v1/consumers/acme', { token: await f.token(['viewer']) });
    expect(view.body.quotaOverride.requests.perMinute).toBe(2);
    const demoUse = view.body.usage.find((u: { route: string }) => u.route === 'demo');
    expect(demoUse.windows.requests).toMatchObject({ limit: 2, used: 2, remaining: 0 });

    await eventually(() => {
      const ev = auditLines().find(
        (e) => e.gatehouse.admin.action === 'quota.set' && e.gatehouse.admin.outcome === 'applied',
      );
      expect(ev).toBeDefined();
      expect(ev.user.id).toBe('alice');
      expect(ev.event.reason).toBe('INC-42 runaway agent');
      expect(ev.gatehouse.admin).toMatchObject({
        operator: 'alice',
        via: 'oidc',
        roles: ['operator'],
        required_role: 'operator',
        target: 'consumer:acme',
        before: null,
        after: { requests: { perMinute: 2, burst: 0, sustainMinutes: 5 } },
        outcome: 'applied',
      });
      expect(ev.gatehouse.request_id).toMatch(/^adm_/);
    });
    // Put the quota back for the other tests.
    const reset = await f.call('PUT', '/admin/v1/consumers/acme/quota', {
      token: op,
      body: { limits: null },
      reason: 'INC-42 closed',
    });
    expect(reset.body).toMatchObject({ value: null });
  });

  it('disables a consumer and issues and revokes keys on the data plane', async () => {
    const op = await f.token(['operator'], 'bob');
    const issued = await f.call('POST', '/admin/v1/consumers/globex/keys', {
      token: op,
      body: {},
      reason: 'onboarding',
    });
    expect(issued.status).toBe(201);
    expect(issued.body.key).toMatch(/^ghk_/);
    const client = f.t.client({ apiKey: issued.body.key });
    const ask = () =>
      client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] });
    await ask();
    const off = await f.call('PUT', '/admin/v1/consumers/globex/enabled', {
      token: op,
      body: { enabled: false },
      reason: 'abuse report',
    });
    expect(off.status).toBe(200);
    await expect(ask()).rejects.toMatchObject({ status: 403 });
    await f.call('PUT', '/admin/v1/consumers/globex/enabled', {
      token: op,
      body: { enabled: true },
      reason: 'cleared',
    });
    await ask();
    const rv = await f.call('DELETE', `/admin/v1/consumers/globex/keys/${issued.body.id}`, {
      token: op,
      reason: 'rotate',
    });
    expect(rv.status).toBe(200);
    await expect(ask()).rejects.toMatchObject({ status: 401 });
    // The audit trail never carries the key or its hash.
    const text = readFileSync(f.auditFile, 'utf8');
    expect(text).not.toContain(issued.body.key);
  });

  it('refuses an override that would fail lint', async () => {
    const op = await f.token(['operator'], 'carol');
    const r = await f.call('PUT', '/admin/v1/routes/demo/model', {
      token: op,
      body: { model: 'gpt-4o-latest' },
      reason: 'try latest',
    });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('GH_ERR_ADMIN_LINT');
    expect(r.body.error.message).toContain('gpt-4o-latest');
  });

  it('toggles a route’s guard action', async () => {
    const op = await f.token(['operator'], 'dave');
    const client = f.t.client({ apiKey: f.dataKey });
    const leaky = () =>
      client.chat.completions.create({
        model: 'demo',
        messages: [{ role: 'user', content: 'mail me at jane.doe@example.com' }],
      });
    await leaky();
    const r = await f.call('PUT', '/admin/v1/routes/demo/guard', {
      token: op,
      body: { guard: { pii: 'block' } },
      reason: 'PII incident',
    });
    expect(r.status).toBe(200);
    await expect(leaky()).rejects.toMatchObject({ status: 400, code: 'GH_ERR_GUARD_PII' });
    await f.call('PUT', '/admin/v1/routes/demo/guard', {
      token: op,
      body: { guard: null },
      reason: 'incident closed',
    });
    await leaky();
  });

  it('serves reads: routes, PACE, health, recent events', async () => {
    const v = await f.token(['viewer']);
    const routes = await f.call('GET', '/admin/v1/routes', { token: v });
    expect(routes.body.items[0]).toMatchObject({ alias: 'demo', tier: 1, pace: 'primary' });
    const pace = await f.call('GET', '/admin/v1/pace', { token: v });
    // Served by the resilience feature's admin routes (PACE state, reason, breakers).
    expect(pace.body.routes.demo).toMatchObject({ state: 'primary' });
    const health = await f.call('GET', '/admin/v1/health', { token: v });
    expect(health.body.store).toEqual({ kind: 'memory', healthy: true });
    expect(health.body.sinks[0]).toMatchObject({ name: 'file', up: true });
    expect(health.body.detectors.map((d: { name: string }) => d.name)).toContain('pii');
    const events = await f.call('GET', '/admin/v1/events', { token: v });
    expect(
      events.body.items.some((e: { event: { action: string } }) => e.event.action === 'auth.failure'),
    ).toBe(true);
  });

  it('lists console pages only of features that are on (no Judge, canary or tools here)', async () => {
    const pages = await f.call('GET', '/admin/v1/console/pages', { token: await f.token(['viewer']) });
    expect(pages.status).toBe(200);
    expect(pages.body.items.map((p: { id: string }) => p.id)).toEqual(['routes']);
  });
});
