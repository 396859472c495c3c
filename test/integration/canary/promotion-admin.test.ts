import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY } from '../../../src/canary/service.js';
import { DEFAULT_TWO_PERSON } from '../../../src/config/schema/admin.js';
import { type AdminFixture, startAdminFixture } from '../admin/helpers.js';
import { CANARY_MODEL, canaryConfig, consumers, trafficFrom } from './helpers.js';

/**
 * Promotion through the real admin listener under the default two-person rule: an approver proposes
 * (the proposal shows the stage and the comparison report), the same approver cannot approve it, an
 * operator cannot, a second approver applies it; the gates are checked again when it is applied.
 */
const { keys, auth } = consumers(40);
let f: AdminFixture;
beforeAll(async () => {
  f = await startAdminFixture((url) => {
    const c = canaryConfig(url, auth, {
      stages: [60, 100],
      gates: { minSamples: 30, p99MinDeltaMs: 5_000 },
    });
    return { auth: c.auth, routes: c.routes, canary: c.canary };
  });
});
afterAll(async () => {
  await f?.close();
});

describe('canary promotion through the admin listener', () => {
  it('is a two-person action by default', () => {
    expect(DEFAULT_TWO_PERSON).toContain('canary.promote');
    expect(f.t.config.admin.twoPerson.actions).toContain('canary.promote');
  }, 180_000);

  it('one approver proposes, the same one cannot approve, a second one applies it', async () => {
    const alice = await f.token(['approver'], 'alice');
    const bob = await f.token(['approver'], 'bob');
    const carol = await f.token(['operator'], 'carol');
    const state = () => CANARY.get(f.t.gw.rt)?.controls.get('demo')?.current();
    const promote = (token: string) =>
      f.call('POST', '/admin/v1/canaries/demo/promote', { token, body: {}, reason: 'CHG-18 canary healthy' });

    // An operator may not even propose it.
    expect((await promote(carol)).body.error.code).toBe('GH_ERR_ADMIN_FORBIDDEN');

    // Gates pending (no traffic yet): the proposal is accepted, but applying it is refused.
    const early = await promote(alice);
    expect(early.status).toBe(202);
    const refused = await f.call('POST', `/admin/v1/proposals/${early.body.proposal.id}/approve`, {
      token: bob,
      body: {},
      reason: 'too early',
    });
    expect(refused.body.error.code).toBe('GH_ERR_CANARY_GATES_NOT_MET');
    expect(state()).toMatchObject({ status: 'running', weight: 50 });

    const statuses = await trafficFrom(f.t.gw.url, keys, 200);
    expect(statuses.every((r) => r.status === 200)).toBe(true);
    const proposed = await promote(alice);
    expect(proposed.status).toBe(202);
    const p = proposed.body.proposal;
    expect(p).toMatchObject({
      action: 'canary.promote',
      state: 'pending',
      proposer: { id: 'alice' },
      change: { target: 'canary:demo', before: { status: 'running', weight: 50 }, after: { weight: 60 } },
    });
    // The approver sees the comparison the proposer saw.
    expect(p.change.after.comparison.verdict).toBe('pass');
    expect(p.change.after.comparison.rows.length).toBeGreaterThan(4);
    // Proposed only: nothing moved.
    expect(state()?.weight).toBe(50);

    const own = await f.call('POST', `/admin/v1/proposals/${p.id}/approve`, {
      token: alice,
      body: {},
      reason: 'lgtm',
    });
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('GH_ERR_ADMIN_SELF_APPROVAL');
    expect(state()?.weight).toBe(50);
    const byOperator = await f.call('POST', `/admin/v1/proposals/${p.id}/approve`, {
      token: carol,
      body: {},
      reason: 'lgtm',
    });
    expect(byOperator.body.error.code).toBe('GH_ERR_ADMIN_FORBIDDEN');

    const ok = await f.call('POST', `/admin/v1/proposals/${p.id}/approve`, {
      token: bob,
      body: {},
      reason: 'report reviewed',
    });
    expect(ok.status).toBe(200);
    expect(ok.body.proposal).toMatchObject({ state: 'applied', decidedBy: 'bob' });
    // Applied by the approval: the stage moved, and the canary now serves more consumers.
    expect(state()).toMatchObject({ status: 'running', weight: 60, stage: 0 });
    const before = f.t.upstream.received.length;
    await trafficFrom(f.t.gw.url, keys, 40);
    const models = f.t.upstream.received.slice(before).map((r) => r.body.model);
    expect(models).toContain(CANARY_MODEL);
  }, 180_000);
});
