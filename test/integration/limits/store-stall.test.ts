import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRoute, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { Gate, poll } from './gate.js';
import { stagesWithHeaderIdentity } from './identity-stage.js';
import { PrivateRedis } from './redis-server.js';

/**
 * Issue 10, finding 4 (and the seed of finding 3): a test-owned Redis is SIGSTOPped — connections
 * stay open, nothing answers — while requests run and keep arriving. Tier 1 (posture `local`).
 */
const rate = (perMinute: number) => ({ perMinute, burst: 0, sustainMinutes: 5 });
const plan = (requests: number, concurrency: number) => ({
  requests: rate(requests),
  inputTokens: rate(10_000_000),
  outputTokens: rate(10_000_000),
  cost: { softPerHour: 1_000, hardPerHour: 10_000 },
  concurrency,
});
const PAUSE_MS = 4_000;

let redis: PrivateRedis;
let tg: TestGateway;
const gate = new Gate();

beforeAll(async () => {
  redis = await PrivateRedis.start();
  tg = await startTestGateway({
    upstream: { intercept: gate.intercept },
    config: (url) => ({
      routes: [demoRoute(url)],
      store: { kind: 'redis', url: redis.url, prefix: 'ghtest:stall:', commandTimeoutMs: 300 },
      limits: {
        replicas: 1,
        defaultPlan: 'cc',
        plans: { cc: plan(100_000, 5), ten: plan(10, 100) },
      },
    }),
    start: { stages: stagesWithHeaderIdentity() },
  });
});

afterAll(async () => {
  gate.open();
  redis?.resume();
  await tg?.close();
  await redis?.kill();
});

async function call(consumer: string, plan = 'cc', tier = 1) {
  const res = await fetch(`${tg.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-test-consumer': consumer,
      'x-test-plan': plan,
      'x-test-tier': String(tier),
    },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
  });
  const body = (await res.json()) as { error?: { code?: string } };
  return { status: res.status, code: body.error?.code ?? null };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Redis paused (SIGSTOP) with requests in flight', () => {
  it('never admits beyond the concurrency limit, and every slot is usable again soon after SIGCONT', async () => {
    gate.close();
    const slow = Array.from({ length: 5 }, () => call('cc-1'));
    expect(await poll(() => gate.inflight === 5, 400)).toBe(true);

    redis.pause();
    const pausedAt = Date.now();
    try {
      // Five more while five run: the local posture knows five are held, and admits none.
      const extra = await Promise.all(Array.from({ length: 5 }, () => call('cc-1')));
      expect(extra).toEqual(Array(5).fill({ status: 429, code: 'GH_ERR_CONCURRENCY' }));
      expect(gate.max).toBe(5);
      // Tier 2 fails closed while Redis does not answer.
      expect(await call('cc-2', 'cc', 2)).toEqual({ status: 503, code: 'GH_ERR_LIMITS_UNAVAILABLE' });

      // The five finish while Redis sleeps: their settlements cannot reach it.
      gate.open();
      expect((await Promise.all(slow)).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      // Admissions whose replies never come: Redis runs them when it wakes up (after the
      // settlements above), so each would hold a slot nobody uses unless it is released.
      const late = await Promise.all(Array.from({ length: 3 }, () => call('cc-1')));
      expect(late.every((a) => a.status === 429)).toBe(true);
      await sleep(Math.max(0, PAUSE_MS - (Date.now() - pausedAt)));
    } finally {
      redis.resume();
    }
    expect(gate.max).toBe(5);

    // All five slots usable again: five held at once reach the upstream (bounded attempts).
    const allFive = async (): Promise<boolean> => {
      gate.close();
      const before = gate.reached;
      const refused: unknown[] = [];
      const batch = Array.from({ length: 5 }, () =>
        call('cc-1').then((a) => {
          if (a.status !== 200) refused.push(a);
          return a;
        }),
      );
      await poll(() => gate.reached - before + refused.length === 5, 400);
      const ok = gate.reached - before === 5;
      gate.open();
      await Promise.all(batch);
      return ok;
    };
    expect(await poll(allFive, 20, 250)).toBe(true);
    expect(gate.max).toBe(5);
  }, 60_000);

  it('the local posture starts from what Redis last said was left, not from zero', async () => {
    gate.open();
    for (let i = 0; i < 6; i++) expect((await call('seed-1', 'ten')).status).toBe(200);
    redis.pause();
    try {
      // 10 per minute, 6 used: this (only) replica may admit the 4 left, then refuses.
      const during = [];
      for (let i = 0; i < 5; i++) during.push(await call('seed-1', 'ten'));
      expect(during.map((a) => a.status)).toEqual([200, 200, 200, 200, 429]);
      expect(during[4]!.code).toBe('GH_ERR_RATE_REQUESTS');
    } finally {
      redis.resume();
    }
  }, 60_000);
});
