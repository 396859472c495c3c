import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRoute, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { Gate, poll } from './gate.js';
import { stagesWithHeaderIdentity } from './identity-stage.js';
import { type ReplicaProc, startReplica, stopReplica } from './replicas.js';

/**
 * Issue 10, finding 4: a replica killed (SIGKILL) while its requests hold concurrency slots. Its
 * leases stop being renewed, so another replica can use the slots again after `leaseTtlMs`, not
 * after the route timeout plus grace (130 s with the defaults).
 */
const PREFIX = `ghtest:crash:${process.pid}:`;
const rate = (perMinute: number) => ({ perMinute, burst: 0, sustainMinutes: 5 });
const LIMITS = {
  replicas: 2,
  leaseTtlMs: 5_000,
  plans: {
    standard: {
      requests: rate(100_000),
      inputTokens: rate(10_000_000),
      outputTokens: rate(10_000_000),
      cost: { softPerHour: 1_000, hardPerHour: 10_000 },
      concurrency: 2,
    },
  },
};
const STORE = { kind: 'redis' as const, url: 'redis://127.0.0.1:6379', prefix: PREFIX };

const gate = new Gate();
const redis = new Redis('redis://127.0.0.1:6379');
let survivor: TestGateway;
let doomed: ReplicaProc;

beforeAll(async () => {
  survivor = await startTestGateway({
    upstream: { intercept: gate.intercept },
    config: (url) => ({ routes: [demoRoute(url)], store: STORE, limits: LIMITS }),
    start: { stages: stagesWithHeaderIdentity() },
  });
  doomed = await startReplica({
    server: { host: '127.0.0.1', port: 0, allowPlaintext: true },
    health: { enabled: false },
    metrics: { enabled: false },
    log: { level: 'error' },
    store: STORE,
    routes: [demoRoute(survivor.upstream.url)],
    limits: LIMITS,
  });
  // Replica processes compile src/ with tsx at start: slow when the machine is busy.
}, 180_000);

afterAll(async () => {
  gate.open();
  await stopReplica(doomed, 'SIGKILL');
  await survivor?.close();
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

function call(base: string, consumer: string) {
  return fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-test-consumer': consumer, 'x-test-tier': '1' },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
  }).then(
    async (res) => ({
      status: res.status,
      code: ((await res.json()) as { error?: { code?: string } }).error?.code,
    }),
    () => ({ status: 0, code: 'connection lost' }),
  );
}

describe('a replica killed while holding leases', () => {
  it('its slots come back after the lease TTL', async () => {
    gate.close();
    const held = [call(doomed.url, 'crash-1'), call(doomed.url, 'crash-1')];
    expect(await poll(() => gate.inflight === 2, 400)).toBe(true);
    // Both slots are the killed replica's, by owner.
    const leases = await redis.zrange(`${PREFIX}lim:{demo}:c:crash-1:cc`, 0, -1);
    expect(leases).toHaveLength(2);
    expect(new Set(leases.map((l) => l.split(':')[0])).size).toBe(1);

    await stopReplica(doomed, 'SIGKILL');
    await Promise.all(held);
    gate.open();
    // While they are held, the survivor refuses; once they expired, it admits (bounded attempts).
    expect((await call(survivor.gw.url, 'crash-1')).code).toBe('GH_ERR_CONCURRENCY');
    const freed = await poll(async () => (await call(survivor.gw.url, 'crash-1')).status === 200, 80, 250);
    expect(freed).toBe(true);
    // Both slots, not one: two held at once reach the upstream.
    gate.close();
    const before = gate.reached;
    const two = [call(survivor.gw.url, 'crash-1'), call(survivor.gw.url, 'crash-1')];
    expect(await poll(() => gate.reached - before === 2, 400)).toBe(true);
    gate.open();
    expect((await Promise.all(two)).map((a) => a.status)).toEqual([200, 200]);
  }, 60_000);
});
