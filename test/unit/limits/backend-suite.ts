import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PlanConfig } from '../../../src/config/schema/limits.js';
import { compileSpec } from '../../../src/edge/limits/spec.js';
import type { AdmitOutcome, Amounts, LimitBackend, LimitSpec } from '../../../src/edge/limits/types.js';

/**
 * One suite, run against the memory backend (unit) and the Redis backend (integration), on a
 * controlled clock: every call passes its own `now`.
 */
export const PLAN: PlanConfig = {
  requests: { perMinute: 10, burst: 5, sustainMinutes: 5 },
  inputTokens: { perMinute: 1_000, burst: 0, sustainMinutes: 5 },
  outputTokens: { perMinute: 500, burst: 0, sustainMinutes: 5 },
  cost: { softPerHour: 0.5, hardPerHour: 1 },
  concurrency: 3,
};

export function spec(
  plan: Partial<PlanConfig> = {},
  opts: { global?: number; leaseMs?: number } = {},
): LimitSpec {
  return compileSpec(
    { ...PLAN, ...plan },
    { alertRatio: 0.8, leaseMs: opts.leaseMs ?? 60_000, globalConcurrency: opts.global ?? 1_000, divisor: 1 },
  );
}

// A fixed epoch on a minute boundary keeps bucket arithmetic readable.
export const T0 = 1_800_000_000_000;

export function backendSuite(name: string, make: () => LimitBackend) {
  describe(`${name} limit backend`, () => {
    const scope = () => `t-${randomUUID().slice(0, 8)}`;
    const run = (
      b: LimitBackend,
      s: LimitSpec,
      sc: string,
      now: number,
      amounts: Amounts,
      consumer = 'alice',
    ) => b.admit({ scope: sc, consumer, spec: s, amounts, leaseId: randomUUID(), now });
    /** Admit and release the lease at once: tests of rates must not hit the concurrency cap. */
    const once = async (
      b: LimitBackend,
      s: LimitSpec,
      sc: string,
      now: number,
      amounts: Amounts,
      consumer = 'alice',
    ) => {
      const leaseId = randomUUID();
      const r = await b.admit({ scope: sc, consumer, spec: s, amounts, leaseId, now });
      if (r.ok)
        await b.settle({ scope: sc, consumer, spec: s, at: r.at, deltas: [0, 0, 0, 0], leaseId, now });
      return r;
    };
    const refusedOn = (r: AdmitOutcome) => (r.ok ? 'admitted' : r.dimension);

    it('requests: perMinute + burst at once, then refused until the oldest bucket leaves the window', async () => {
      const b = make();
      const s = spec();
      const sc = scope();
      for (let i = 0; i < 15; i++) expect((await once(b, s, sc, T0 + i, [1, 0, 0, 0])).ok).toBe(true);
      const r = await once(b, s, sc, T0 + 500, [1, 0, 0, 0]);
      expect(refusedOn(r)).toBe('requests');
      // All 15 sit in the bucket of T0; it stops counting at T0 + 61 s (one bucket of look-back).
      expect(r.ok ? 0 : r.retryAfterMs).toBe(61_000 - 500);
      expect((await once(b, s, sc, T0 + 60_999, [1, 0, 0, 0])).ok).toBe(false);
      expect((await once(b, s, sc, T0 + 61_000, [1, 0, 0, 0])).ok).toBe(true);
      await b.close();
    });

    it('buckets leave the window one by one; a window idle for longer than itself starts empty', async () => {
      const b = make();
      const s = spec({ requests: { perMinute: 15, burst: 0, sustainMinutes: 5 } });
      const sc = scope();
      for (const t of [0, 10_000, 20_000])
        for (let i = 0; i < 5; i++) await once(b, s, sc, T0 + t + i, [1, 0, 0, 0]);
      const full = await once(b, s, sc, T0 + 30_000, [1, 0, 0, 0]);
      expect(full.ok ? 0 : full.retryAfterMs).toBe(61_000 - 30_000);
      // At +61 s the first five left: five fit, the sixth waits for the +10 s bucket (leaves at +71 s).
      for (let i = 0; i < 5; i++) expect((await once(b, s, sc, T0 + 61_000 + i, [1, 0, 0, 0])).ok).toBe(true);
      const r = await once(b, s, sc, T0 + 61_500, [1, 0, 0, 0]);
      expect(r.ok ? 0 : r.retryAfterMs).toBe(71_000 - 61_500);
      expect(r.views[0]).toMatchObject({ limit: 15, remaining: 0 });
      // Idle for far longer than the window: everything is gone.
      const later = await once(b, s, sc, T0 + 600_000, [1, 0, 0, 0]);
      expect(later.ok && later.views[0]).toEqual({ limit: 15, remaining: 14, resetMs: 61_000 });
      for (let i = 0; i < 14; i++)
        expect((await once(b, s, sc, T0 + 600_001 + i, [1, 0, 0, 0])).ok).toBe(true);
      expect((await once(b, s, sc, T0 + 600_100, [1, 0, 0, 0])).ok).toBe(false);
      await b.close();
    });

    it('requests: the sustain window blocks a steady rate above perMinute', async () => {
      const b = make();
      const s = spec();
      const sc = scope();
      // 15 per minute (perMinute 10 + burst 5) fits every minute window, but not 5 minutes at 10/min.
      let admitted = 0;
      let refusedBy = '';
      for (let m = 0; m < 5 && refusedBy === ''; m++) {
        for (let i = 0; i < 15; i++) {
          const r = await once(b, s, sc, T0 + m * 61_000 + i, [1, 0, 0, 0]);
          if (r.ok) admitted++;
          else refusedBy = refusedOn(r);
        }
      }
      expect(refusedBy).toBe('requests');
      expect(admitted).toBe(50); // perMinute × sustainMinutes
      await b.close();
    });

    it('input and output tokens: a request that does not fit is refused with its own dimension', async () => {
      const b = make();
      const s = spec();
      const sc = scope();
      expect((await once(b, s, sc, T0, [1, 900, 0, 0])).ok).toBe(true);
      expect(refusedOn(await once(b, s, sc, T0 + 1, [1, 101, 0, 0]))).toBe('inputTokens');
      expect((await once(b, s, sc, T0 + 2, [1, 100, 0, 0])).ok).toBe(true);
      expect((await once(b, s, sc, T0 + 3, [1, 0, 500, 0])).ok).toBe(true);
      expect(refusedOn(await once(b, s, sc, T0 + 4, [1, 0, 1, 0]))).toBe('outputTokens');
      await b.close();
    });

    it('tokens with a burst: perMinute + burst in the minute, perMinute × sustain over the longer window', async () => {
      const b = make();
      const s = spec({ inputTokens: { perMinute: 100, burst: 100, sustainMinutes: 3 } });
      const sc = scope();
      expect((await once(b, s, sc, T0, [1, 200, 0, 0])).ok).toBe(true);
      expect(refusedOn(await once(b, s, sc, T0 + 1, [1, 1, 0, 0]))).toBe('inputTokens');
      expect((await once(b, s, sc, T0 + 61_000, [1, 100, 0, 0])).ok).toBe(true);
      // 300 in the 3-minute window: full, even though the minute window has room.
      expect(refusedOn(await once(b, s, sc, T0 + 122_000, [1, 1, 0, 0]))).toBe('inputTokens');
      await b.close();
    });

    it('cost: the hard cap blocks, the soft cap alerts once per hour and passes', async () => {
      const b = make();
      const s = spec();
      const sc = scope();
      const r1 = await once(b, s, sc, T0, [1, 0, 0, 400_000]);
      expect(r1.ok && r1.alerts).toEqual([]);
      const r2 = await once(b, s, sc, T0 + 1, [1, 0, 0, 200_000]);
      expect(r2.ok && r2.alerts.some((a) => a.kind === 'softCap')).toBe(true);
      const r3 = await once(b, s, sc, T0 + 2, [1, 0, 0, 100_000]);
      expect(r3.ok && r3.alerts.some((a) => a.kind === 'softCap')).toBe(false);
      expect(refusedOn(await once(b, s, sc, T0 + 3, [1, 0, 0, 300_001]))).toBe('cost');
      expect((await once(b, s, sc, T0 + 4, [1, 0, 0, 300_000])).ok).toBe(true);
      await b.close();
    });

    it('80% of a quota emits one event per window', async () => {
      const b = make();
      const s = spec();
      const sc = scope();
      const quota = (r: AdmitOutcome) => (r.ok ? r.alerts.filter((a) => a.kind === 'quota') : []);
      expect(quota(await once(b, s, sc, T0, [1, 790, 0, 0]))).toEqual([]);
      expect(quota(await once(b, s, sc, T0 + 1, [1, 10, 0, 0]))).toEqual([
        { kind: 'quota', dimension: 'inputTokens', window: 'm', used: 800, limit: 1_000 },
      ]);
      expect(quota(await once(b, s, sc, T0 + 2, [1, 10, 0, 0]))).toEqual([]);
      // A new window, the same level: a new event.
      expect(quota(await once(b, s, sc, T0 + 70_000, [1, 800, 0, 0]))).toEqual([
        { kind: 'quota', dimension: 'inputTokens', window: 'm', used: 800, limit: 1_000 },
      ]);
      await b.close();
    });

    it('concurrency per consumer and global; leases expire on their own', async () => {
      const b = make();
      const s = spec({}, { global: 4, leaseMs: 10_000 });
      const sc = scope();
      for (let i = 0; i < 3; i++) expect((await run(b, s, sc, T0 + i, [1, 0, 0, 0])).ok).toBe(true);
      expect(refusedOn(await run(b, s, sc, T0 + 3, [1, 0, 0, 0]))).toBe('concurrency');
      expect((await run(b, s, sc, T0 + 4, [1, 0, 0, 0], 'bob')).ok).toBe(true);
      expect(refusedOn(await run(b, s, sc, T0 + 5, [1, 0, 0, 0], 'carol'))).toBe('globalConcurrency');
      // Nobody settled (a dead replica): the leases run out after leaseMs.
      expect((await run(b, s, sc, T0 + 10_005, [1, 0, 0, 0], 'carol')).ok).toBe(true);
      expect((await run(b, s, sc, T0 + 10_006, [1, 0, 0, 0])).ok).toBe(true);
      await b.close();
    });

    it('leases: the owner renews its live ones, the rest expire; release frees a slot by id; counts are reported', async () => {
      const b = make();
      const s = spec({}, { global: 100, leaseMs: 3_000 });
      const sc = scope();
      const ids = ['r1:0:a', 'r1:1:b', 'r2:0:c'];
      for (let i = 0; i < 3; i++) {
        const r = await b.admit({
          scope: sc,
          consumer: 'alice',
          spec: s,
          amounts: [1, 0, 0, 0],
          leaseId: ids[i]!,
          now: T0,
        });
        expect(r.inUse).toEqual([i + 1, i + 1]);
      }
      // Replica r1 beats at T0 + 2 s; r2 (crashed) does not.
      const mine = ids.slice(0, 2).map((leaseId) => ({ consumer: 'alice', leaseId }));
      await b.renew(sc, mine, 3_000, T0 + 2_000);
      const third = await run(b, s, sc, T0 + 3_500, [1, 0, 0, 0]);
      expect(third.ok && third.inUse).toEqual([3, 3]);
      expect(refusedOn(await run(b, s, sc, T0 + 3_600, [1, 0, 0, 0]))).toBe('concurrency');
      // A lease already expired is not brought back by a late beat.
      await b.renew(sc, [{ consumer: 'alice', leaseId: 'r2:0:c' }], 3_000, T0 + 3_700);
      await b.release(sc, mine[0]!);
      await b.release(sc, mine[0]!); // idempotent
      const freed = await run(b, s, sc, T0 + 3_800, [1, 0, 0, 0]);
      expect(freed.ok && freed.inUse).toEqual([3, 3]);
      await b.close();
    });

    it('a retried settlement corrects the windows once, whether or not the first attempt ran', async () => {
      const b = make();
      const s = spec({}, { leaseMs: 60_000 });
      const sc = scope();
      const admit = (leaseId: string) =>
        b.admit({ scope: sc, consumer: 'alice', spec: s, amounts: [1, 100, 0, 0], leaseId, now: T0 });
      const settle = (leaseId: string, retry: boolean) =>
        b.settle({
          scope: sc,
          consumer: 'alice',
          spec: s,
          at: T0,
          deltas: [0, -100, 0, 0],
          leaseId,
          now: T0 + 1,
          retry,
        });
      await admit('x');
      await admit('y');
      // x: the first attempt ran, then its retry came: released once.
      await settle('x', false);
      expect(await settle('x', true)).toEqual([1, 1]);
      // y: the first attempt never reached the store: the retry does the work.
      expect(await settle('y', true)).toEqual([0, 0]);
      const r = await run(b, s, sc, T0 + 2, [1, 0, 0, 0]);
      expect(r.views[1].remaining).toBe(1_000);
      await b.close();
    });

    it('all or nothing: a refusal on one dimension charges none of the others', async () => {
      const b = make();
      const s = spec({}, { leaseMs: 10_000 });
      const sc = scope();
      expect(refusedOn(await run(b, s, sc, T0, [1, 500, 501, 400_000]))).toBe('outputTokens');
      const r = await run(b, s, sc, T0 + 1, [1, 1_000, 500, 1_000_000]);
      expect(r.ok).toBe(true);
      expect(r.views.map((v) => v.remaining)).toEqual([14, 0, 0, 0]);
      // Concurrency: the refused attempt took no slot either (3 leases fit besides r).
      for (let i = 0; i < 2; i++) expect((await run(b, s, sc, T0 + 2 + i, [1, 0, 0, 0])).ok).toBe(true);
      expect(refusedOn(await run(b, s, sc, T0 + 5, [1, 0, 0, 0]))).toBe('concurrency');
      await b.close();
    });

    it('settle releases the unused part of the reservation and the slot', async () => {
      const b = make();
      const s = spec({ concurrency: 1 });
      const sc = scope();
      const leaseId = randomUUID();
      const r = await b.admit({
        scope: sc,
        consumer: 'alice',
        spec: s,
        amounts: [1, 300, 500, 400_000],
        leaseId,
        now: T0,
      });
      expect(r.ok).toBe(true);
      expect(refusedOn(await run(b, s, sc, T0 + 1, [1, 0, 0, 0]))).toBe('concurrency');
      // Used 120 output tokens of 500, and the real cost was lower.
      await b.settle({
        scope: sc,
        consumer: 'alice',
        spec: s,
        at: T0,
        deltas: [0, 0, -380, -300_000],
        leaseId,
        now: T0 + 2_000,
      });
      const after = await once(b, s, sc, T0 + 2_001, [1, 700, 380, 900_000]);
      expect(after.ok).toBe(true);
      expect(after.views.map((v) => v.remaining)).toEqual([13, 0, 0, 0]);
      await b.close();
    });

    it('settle charges an underestimate; a bucket already out of the window is left alone', async () => {
      const b = make();
      const s = spec({ concurrency: 10 });
      const sc = scope();
      const leaseId = randomUUID();
      await b.admit({ scope: sc, consumer: 'alice', spec: s, amounts: [1, 100, 0, 0], leaseId, now: T0 });
      await b.settle({
        scope: sc,
        consumer: 'alice',
        spec: s,
        at: T0,
        deltas: [0, 50, 0, 0],
        leaseId,
        now: T0 + 10,
      });
      expect(refusedOn(await once(b, s, sc, T0 + 20, [1, 851, 0, 0]))).toBe('inputTokens');
      // A late settlement (after the window) must not resurrect anything.
      const late = randomUUID();
      await b.admit({
        scope: sc,
        consumer: 'bob',
        spec: s,
        amounts: [1, 1_000, 0, 0],
        leaseId: late,
        now: T0,
      });
      await b.settle({
        scope: sc,
        consumer: 'bob',
        spec: s,
        at: T0,
        deltas: [0, 500, 0, 0],
        leaseId: late,
        now: T0 + 120_000,
      });
      expect((await once(b, s, sc, T0 + 120_001, [1, 1_000, 0, 0], 'bob')).ok).toBe(true);
      await b.close();
    });

    it("consumer names cannot collide with each other's keys", async () => {
      const b = make();
      const s = spec({ concurrency: 1 });
      const sc = scope();
      for (const c of ['bob', 'bob:cc', 'bob}x{', 'bob:c:cc'])
        expect((await run(b, s, sc, T0, [1, 0, 0, 0], c)).ok).toBe(true);
      expect(refusedOn(await run(b, s, sc, T0 + 1, [1, 0, 0, 0], 'bob:cc'))).toBe('concurrency');
      await b.close();
    });

    it('settle without a matching admission is harmless', async () => {
      const b = make();
      const s = spec();
      const sc = scope();
      await b.settle({
        scope: sc,
        consumer: 'ghost',
        spec: s,
        at: T0,
        deltas: [0, -10, -10, -10],
        leaseId: 'none',
        now: T0,
      });
      const r = await once(b, s, sc, T0 + 1, [1, 1, 1, 1], 'ghost');
      expect(r.ok && r.views.map((v) => v.remaining)).toEqual([14, 999, 499, 999_999]);
      await b.close();
    });

    it('headers view: remaining and reset follow the window', async () => {
      const b = make();
      const s = spec();
      const sc = scope();
      const r = await once(b, s, sc, T0 + 250, [1, 10, 0, 0]);
      expect(r.views[0]).toEqual({ limit: 15, remaining: 14, resetMs: 61_000 - 250 });
      expect(r.views[1]).toEqual({ limit: 1_000, remaining: 990, resetMs: 61_000 - 250 });
      expect(r.views[2]).toEqual({ limit: 500, remaining: 500, resetMs: 0 });
      await b.close();
    });

    it('a request larger than the whole window is refused with the window as retry-after', async () => {
      const b = make();
      const s = spec();
      const r = await once(b, s, scope(), T0, [1, 1_001, 0, 0]);
      expect(refusedOn(r)).toBe('inputTokens');
      expect(r.ok ? 0 : r.retryAfterMs).toBe(60_000);
      await b.close();
    });
  });
}
