import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProposalBook } from '../../../src/admin/proposals.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import { type AdminFixture, startAdminFixture } from './helpers.js';

let f: AdminFixture;
beforeAll(async () => {
  f = await startAdminFixture();
});
afterAll(async () => {
  await f?.close();
});

describe('two-person rule', () => {
  it('a model-version change is proposed with its diff and applied only by a different approver, once', async () => {
    const alice = await f.token(['approver'], 'alice');
    const bob = await f.token(['approver'], 'bob');
    const carol = await f.token(['operator'], 'carol');
    const next = 'gatehouse-demo-2025-01-01';
    const proposed = await f.call('PUT', '/admin/v1/routes/demo/model', {
      token: alice,
      body: { model: next },
      reason: 'CHG-7 new snapshot evaluated',
    });
    expect(proposed.status).toBe(202);
    const p = proposed.body.proposal;
    expect(p).toMatchObject({
      action: 'route.model.set',
      state: 'pending',
      proposer: { id: 'alice' },
      change: { target: 'route:demo', before: null, after: next },
    });
    // Nothing changed yet.
    const routes = await f.call('GET', '/admin/v1/routes', { token: carol });
    expect(routes.body.items[0].model).not.toBe(next);

    const own = await f.call('POST', `/admin/v1/proposals/${p.id}/approve`, {
      token: alice,
      body: {},
      reason: 'lgtm',
    });
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('GH_ERR_ADMIN_SELF_APPROVAL');
    const operator = await f.call('POST', `/admin/v1/proposals/${p.id}/approve`, {
      token: carol,
      body: {},
      reason: 'lgtm',
    });
    expect(operator.body.error.code).toBe('GH_ERR_ADMIN_FORBIDDEN');

    const ok = await f.call('POST', `/admin/v1/proposals/${p.id}/approve`, {
      token: bob,
      body: {},
      reason: 'eval report reviewed',
    });
    expect(ok.status).toBe(200);
    expect(ok.body.proposal).toMatchObject({ state: 'applied', decidedBy: 'bob' });
    const again = await f.call('POST', `/admin/v1/proposals/${p.id}/approve`, {
      token: bob,
      body: {},
      reason: 'twice',
    });
    expect(again.body.error.code).toBe('GH_ERR_ADMIN_PROPOSAL_CLOSED');

    // The data plane now sends the new pinned version upstream.
    await f.t.client({ apiKey: f.dataKey }).chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(f.t.upstream.received.at(-1)?.body.model).toBe(next);
    const listed = await f.call('GET', '/admin/v1/proposals?state=applied', { token: carol });
    expect(listed.body.items.map((x: { id: string }) => x.id)).toContain(p.id);
  });

  it('a rejected proposal cannot be applied', async () => {
    const alice = await f.token(['approver'], 'alice');
    const bob = await f.token(['approver'], 'bob');
    const proposed = await f.call('PUT', '/admin/v1/routes/demo/model', {
      token: alice,
      body: { model: null },
      reason: 'roll back',
    });
    const id = proposed.body.proposal.id;
    expect(
      (await f.call('POST', `/admin/v1/proposals/${id}/reject`, { token: bob, body: {}, reason: 'not now' }))
        .status,
    ).toBe(200);
    const late = await f.call('POST', `/admin/v1/proposals/${id}/approve`, {
      token: bob,
      body: {},
      reason: 'changed mind',
    });
    expect(late.body.error.code).toBe('GH_ERR_ADMIN_PROPOSAL_CLOSED');
  });
});

describe('proposal book', () => {
  const base = {
    action: 'route.model.set',
    method: 'PUT' as const,
    route: '/routes/:alias/model',
    path: '/admin/v1/routes/demo/model',
    params: { alias: 'demo' },
    query: '',
    body: { model: 'm-2025-01-01' },
    reason: 'test',
    proposer: { id: 'alice', via: 'oidc', roles: ['approver' as const] },
    change: { target: 'route:demo', after: 'm-2025-01-01' },
  };

  it('an expired proposal cannot be applied', async () => {
    let now = 1_000_000;
    const book = createProposalBook(createMemoryStore(), () => now);
    const p = await book.create(base, 60);
    now += 60_000;
    await expect(book.claim(p.id, 'bob', 'late')).rejects.toMatchObject({
      code: 'GH_ERR_ADMIN_PROPOSAL_EXPIRED',
    });
    expect((await book.get(p.id)).state).toBe('expired');
  });

  it('two approvers racing: one applies', async () => {
    const book = createProposalBook(createMemoryStore());
    const p = await book.create(base, 60);
    const r = await Promise.allSettled([book.claim(p.id, 'bob', 'a'), book.claim(p.id, 'dan', 'b')]);
    expect(r.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect(r.find((x) => x.status === 'rejected')).toMatchObject({
      reason: { code: 'GH_ERR_ADMIN_PROPOSAL_CLOSED' },
    });
  });
});
