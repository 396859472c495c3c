import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { stagesWithHeaderIdentity } from './identity-stage.js';
import { PrivateRedis } from './redis-server.js';

const rate = (perMinute: number) => ({ perMinute, burst: 0, sustainMinutes: 5 });

let redis: PrivateRedis;
let tg: TestGateway;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  tg = await startTestGateway({
    config: (url) => ({
      routes: [demoRoute(url)],
      store: { kind: 'redis', url: redis.url, prefix: 'ghtest:outage:', commandTimeoutMs: 300 },
      limits: {
        replicas: 2,
        plans: {
          standard: {
            requests: rate(10),
            inputTokens: rate(100_000),
            outputTokens: rate(100_000),
            cost: { softPerHour: 10, hardPerHour: 50 },
            concurrency: 5,
          },
        },
      },
    }),
    start: { stages: stagesWithHeaderIdentity() },
  });
});

afterAll(async () => {
  await tg?.close();
  await redis?.kill();
});

async function call(consumer: string, tier: 1 | 2) {
  const res = await fetch(`${tg.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-test-consumer': consumer, 'x-test-tier': String(tier) },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
  });
  const body = (await res.json()) as { error?: { code?: string } };
  return { status: res.status, code: body.error?.code ?? null, headers: res.headers };
}

const metric = async (name: string): Promise<string> => {
  const text = await (await fetch(`${tg.gw.metricsUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .join('\n');
};

describe('Redis killed mid-run', () => {
  it('fails closed at tier 2, falls back to divided local limits at tier 1, and recovers without a restart', async () => {
    await eventually(async () => expect((await call('alice', 1)).status).toBe(200), 15_000);
    expect((await call('alice', 1)).headers.get('x-ratelimit-limit-requests')).toBe('10');

    const seen = tg.logs.lines.length;
    await redis.kill();

    // Tier 2 (default posture: closed): refused, never waved through.
    await eventually(
      async () => expect((await call('bob', 2)).code).toBe('GH_ERR_LIMITS_UNAVAILABLE'),
      15_000,
    );
    const closed = await call('bob', 2);
    expect(closed.status).toBe(503);
    expect(Number(closed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // Tier 1 (default posture: local): 10 per minute shared by 2 replicas is 5 here, and enforced.
    for (let i = 0; i < 5; i++) {
      const r = await call('carol', 1);
      expect(r.status).toBe(200);
      expect(r.headers.get('x-ratelimit-limit-requests')).toBe('5');
    }
    expect((await call('carol', 1)).code).toBe('GH_ERR_RATE_REQUESTS');

    expect(await metric('gatehouse_limits_store_up')).toContain('gatehouse_limits_store_up 0');
    expect(await metric('gatehouse_limits_store_unavailable_total')).toMatch(/posture="closed"\} [1-9]/);
    expect(await metric('gatehouse_limits_store_unavailable_total')).toMatch(/posture="local"\} [1-9]/);
    const down = tg.logs.lines.slice(seen).filter((l) => l.type === 'limits.store_unavailable');
    expect(down).toHaveLength(1);
    expect(down[0]).toMatchObject({ severity: 'high' });

    await redis.up();

    // Same gateway, no restart: shared limits again once ioredis has reconnected.
    await eventually(async () => {
      const r = await call('bob', 2);
      expect(r.status).toBe(200);
      expect(r.headers.get('x-ratelimit-limit-requests')).toBe('10');
    }, 20_000);
    expect(await metric('gatehouse_limits_store_up')).toContain('gatehouse_limits_store_up 1');
    expect(tg.logs.lines.slice(seen).filter((l) => l.type === 'limits.store_recovered')).toHaveLength(1);
  }, 90_000);
});
