import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../../src/judge/backend/memory.js';
import { createRedisBackend } from '../../../src/judge/backend/redis.js';
import type { JudgeBackend } from '../../../src/judge/backend/types.js';
import { cohensKappa } from '../../../src/judge/calibration.js';
import { createReviewQueue } from '../../../src/judge/review.js';
import type { Finding } from '../../../src/judge/types.js';
import { createRedisStore, type RedisStore } from '../../../src/store/redis.js';

const LIMITS = { maxLength: 1_000, maxFindings: 5, recordTtlMs: 60_000 };
const REVIEW = { maxFindings: 5, claimTtlMs: 60_000, maxNotes: 2 };

function finding(id: string, over: Partial<Finding> = {}): Finding {
  return {
    id,
    version: 1,
    source: 'model',
    rubric: 'leak',
    kind: 'system_prompt_leak',
    verdict: 'fail',
    scores: { verbatim: 0.9 },
    confidence: 0.8,
    rationale: 'r',
    recordId: `rec-${id}`,
    route: 'chat',
    consumer: 'acme',
    agent: null,
    createdAt: Date.now(),
    status: 'open',
    claimedBy: null,
    claimedAt: null,
    decision: null,
    decidedBy: null,
    decidedAt: null,
    notes: [],
    owasp: { llm: ['LLM07'], asi: [] },
    ...over,
  };
}

const stores: RedisStore[] = [];
afterAll(async () => {
  for (const s of stores) {
    const keys = await s.redis().keys(`${s.prefix}*`);
    if (keys.length > 0) await s.redis().del(...keys);
    await s.close();
  }
});

const IMPLS: Array<[string, () => Promise<JudgeBackend>]> = [
  ['memory', async () => createMemoryBackend(LIMITS)],
  [
    'redis',
    async () => {
      const store = createRedisStore({
        url: 'redis://127.0.0.1:6379',
        prefix: `ghtest:judge:${randomUUID()}:`,
        commandTimeoutMs: 5_000,
      });
      stores.push(store);
      await new Promise<void>((r) => store.redis().once('ready', () => r()));
      return createRedisBackend(
        store.scripts ??
          (() => {
            throw new Error('no scripts');
          })(),
        store.pubsub,
        LIMITS,
      );
    },
  ],
];

describe.each(IMPLS)('Judge backend (%s)', (_name, make) => {
  let b: JudgeBackend;
  beforeEach(async () => {
    b = await make();
  });
  afterEach(async () => {
    await b.close();
  });

  it('delivers a record to one worker, keeps it pending until acknowledged, hands it over when idle', async () => {
    await b.enqueue('{"a":1}');
    await b.enqueue('{"a":2}');
    expect(await b.depth()).toBe(2);
    const one = await b.read('w1', 1, 50);
    expect(one.map((d) => d.data)).toEqual(['{"a":1}']);
    const two = await b.read('w2', 5, 50);
    expect(two.map((d) => d.data)).toEqual(['{"a":2}']);
    expect(await b.read('w3', 5, 50)).toEqual([]);
    // Both pending: still counted.
    expect(await b.depth()).toBe(2);
    await b.ack(two[0]?.entryId ?? '');
    expect(await b.depth()).toBe(1);
    // w1 "crashed": nothing reclaimable before the idle time, then w3 gets it, second delivery.
    expect(await b.reclaim('w3', 60_000, 8)).toEqual([]);
    await new Promise((r) => setTimeout(r, 30));
    const again = await b.reclaim('w3', 10, 8);
    expect(again.map((d) => [d.data, d.deliveries])).toEqual([['{"a":1}', 2]]);
    await b.ack(again[0]?.entryId ?? '');
    expect(await b.depth()).toBe(0);
  });

  it('a blocked read wakes for a new record', async () => {
    const waiting = b.read('w1', 1, 5_000);
    await new Promise((r) => setTimeout(r, 50));
    await b.enqueue('{"late":true}');
    expect((await waiting).map((d) => d.data)).toEqual(['{"late":true}']);
  });

  it('stores a finding once, trims the oldest past the cap, pages newest first', async () => {
    expect(await b.putFinding(finding('f0', { createdAt: 1 }), '{"rec":0}')).toBe(true);
    expect(await b.putFinding(finding('f0', { createdAt: 1, verdict: 'pass' }), null)).toBe(false);
    expect((await b.getFinding('f0'))?.verdict).toBe('fail');
    expect(await b.getRecord('rec-f0')).toBe('{"rec":0}');
    for (let i = 1; i <= 6; i++) await b.putFinding(finding(`f${i}`, { createdAt: 1 + i }), null);
    expect(await b.getFinding('f0')).toBeNull();
    expect(await b.getFinding('f1')).toBeNull();
    const page = await b.scanFindings(0, 3);
    expect(page.findings.map((f) => f.id)).toEqual(['f6', 'f5', 'f4']);
    const rest = await b.scanFindings(page.next ?? 0, 3);
    expect(rest.findings.map((f) => f.id)).toEqual(['f3', 'f2']);
  });

  it('replaces a finding only at the expected version', async () => {
    await b.putFinding(finding('x'), null);
    expect(await b.replaceFinding(finding('x', { version: 2, status: 'claimed' }), 1)).toBe(true);
    expect(await b.replaceFinding(finding('x', { version: 2, status: 'decided' }), 1)).toBe(false);
    expect((await b.getFinding('x'))?.status).toBe('claimed');
  });

  it('counts spend per stratum and hour, done markers and agreement cells', async () => {
    expect(await b.spend('risk', 300, 7)).toBe(300);
    expect(await b.spend('risk', 200, 7)).toBe(500);
    expect(await b.spend('sampled', 50, 7)).toBe(50);
    expect(await b.spend('risk', 1, 8)).toBe(1);
    expect(await b.isDone('r1')).toBe(false);
    await b.markDone('r1', 60_000);
    expect(await b.isDone('r1')).toBe(true);
    await b.addAgreement('leak', true, true);
    await b.addAgreement('leak', true, false);
    await b.addAgreement('leak', false, false);
    await b.addAgreement('leak:x', false, true);
    expect(await b.agreements()).toEqual({
      leak: { bothPositive: 1, judgeOnly: 1, reviewerOnly: 0, bothNegative: 1 },
      'leak:x': { bothPositive: 0, judgeOnly: 0, reviewerOnly: 1, bothNegative: 0 },
    });
  });

  it('review queue: claim, conflicting claim, decide (feeds agreement), notes, lapsed claims', async () => {
    let clock = 1_000_000;
    const decided: string[] = [];
    const q = createReviewQueue(
      b,
      REVIEW,
      async (f, d) => {
        decided.push(`${f.id}:${d}`);
        await b.addAgreement(f.rubric, f.verdict !== 'pass', d !== 'dismiss');
      },
      () => clock,
    );
    await b.putFinding(finding('a'), '{"id":"rec-a"}');
    await b.putFinding(finding('b', { verdict: 'pass', rubric: 'other' }), null);
    await expect(q.decide('a', 'alice', 'confirm')).rejects.toMatchObject({
      code: 'GH_ERR_JUDGE_NOT_CLAIMED',
    });
    await q.claim('a', 'alice');
    await expect(q.claim('a', 'bob')).rejects.toMatchObject({ code: 'GH_ERR_JUDGE_FINDING_CLAIMED' });
    await expect(q.decide('a', 'bob', 'dismiss')).rejects.toMatchObject({ code: 'GH_ERR_JUDGE_NOT_CLAIMED' });
    expect((await q.list({ status: 'claimed' }, 10, 0)).findings.map((f) => f.id)).toEqual(['a']);
    expect((await q.list({ rubric: 'other' }, 10, 0)).findings.map((f) => f.id)).toEqual(['b']);
    const { after } = await q.decide('a', 'alice', 'confirm', 'leaked the prompt verbatim');
    expect(after).toMatchObject({ status: 'decided', decision: 'confirm', decidedBy: 'alice' });
    expect(after.notes.map((n) => n.text)).toEqual(['leaked the prompt verbatim']);
    await expect(q.claim('a', 'bob')).rejects.toMatchObject({ code: 'GH_ERR_JUDGE_FINDING_DECIDED' });
    expect(decided).toEqual(['a:confirm']);
    expect((await b.agreements()).leak).toEqual({
      bothPositive: 1,
      judgeOnly: 0,
      reviewerOnly: 0,
      bothNegative: 0,
    });
    // Notes are capped.
    await q.annotate('b', 'bob', 'one');
    await q.annotate('b', 'bob', 'two');
    await expect(q.annotate('b', 'bob', 'three')).rejects.toMatchObject({ code: 'GH_ERR_JUDGE_NOTES_FULL' });
    // A claim lapses: bob's claim on b is open again for carol after claimTtlMs.
    await q.claim('b', 'bob');
    clock += REVIEW.claimTtlMs + 1;
    expect((await q.get('b')).finding.status).toBe('open');
    await q.claim('b', 'carol');
    await expect(q.get('missing')).rejects.toMatchObject({ code: 'GH_ERR_JUDGE_FINDING_NOT_FOUND' });
    expect((await q.get('a')).record).toEqual({ id: 'rec-a' });
  });

  it('two reviewers claiming at once: one wins, the other gets a conflict or the claim error', async () => {
    const q = createReviewQueue(b, REVIEW, async () => {});
    await b.putFinding(finding('race'), null);
    const results = await Promise.allSettled([q.claim('race', 'alice'), q.claim('race', 'bob')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected');
    expect((failed as PromiseRejectedResult).reason.code).toMatch(/GH_ERR_JUDGE_(CONFLICT|FINDING_CLAIMED)/);
  });
});

describe("Cohen's kappa", () => {
  it('matches worked examples', () => {
    // 20 yes/yes, 5 judge-only, 10 reviewer-only, 15 no/no: po 0.7, pe 0.5, kappa 0.4.
    expect(
      cohensKappa({ bothPositive: 20, judgeOnly: 5, reviewerOnly: 10, bothNegative: 15 }).kappa,
    ).toBeCloseTo(0.4, 10);
    expect(cohensKappa({ bothPositive: 10, judgeOnly: 0, reviewerOnly: 0, bothNegative: 10 }).kappa).toBe(1);
    expect(cohensKappa({ bothPositive: 0, judgeOnly: 10, reviewerOnly: 10, bothNegative: 0 }).kappa).toBe(-1);
    // One label only on both sides, full agreement: kappa is undefined, read as 1.
    expect(cohensKappa({ bothPositive: 7, judgeOnly: 0, reviewerOnly: 0, bothNegative: 0 }).kappa).toBe(1);
    expect(cohensKappa({ bothPositive: 0, judgeOnly: 0, reviewerOnly: 0, bothNegative: 0 }).kappa).toBeNull();
  });
});
