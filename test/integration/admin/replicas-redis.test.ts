import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoApiKey } from '../../../src/edge/auth/demo.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/oidc-issuer.js';

/**
 * Three replicas (separate runtimes, separate Redis connections, one real Redis, a key prefix of
 * this test's own): a quota set through one replica's admin API applies on all three (pub/sub, with polling every 250 ms as the fallback). The one-second
 * bound is a speed claim: it lives in bench/, not here, where a loaded CI machine would make it flaky.
 */
const PREFIX = `ghtest:admin:${process.pid}:${randomBytes(4).toString('hex')}:`;
let idp: TestIssuer;
let replicas: TestGateway[] = [];
const demo = demoApiKey('acme');

beforeAll(async () => {
  idp = await startTestIssuer();
  for (let i = 0; i < 3; i++)
    replicas.push(
      await startTestGateway({
        config: (url) => ({
          routes: [demoRoute(url)],
          auth: demo.auth,
          store: { kind: 'redis', url: 'redis://127.0.0.1:6379', prefix: PREFIX },
          limits: { replicas: 3, clock: 'local' },
          admin: { enabled: true, port: 0, oidc: { issuer: idp.issuer, audience: idp.audience } },
        }),
      }),
    );
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.close()));
  replicas = [];
  await idp?.close();
  const redis = new Redis('redis://127.0.0.1:6379');
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('runtime overrides across replicas (real Redis)', () => {
  it('a quota changed through one replica applies on all three', async () => {
    const token = await idp.mint('alice', ['operator']);
    const first = replicas[0]?.gw.adminUrl ?? '';
    const res = await fetch(`${first}/admin/v1/consumers/acme/quota`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'x-gatehouse-reason': 'INC-9 shared quota',
      },
      body: JSON.stringify({ limits: { requests: { perMinute: 3, burst: 0 } } }),
    });
    expect(res.status).toBe(200);
    const { version } = (await res.json()) as { version: number };
    // Every replica's own admin API reports the new overrides (its in-memory snapshot).
    await eventually(async () => {
      for (const r of replicas) {
        const o = await fetch(`${r.gw.adminUrl}/admin/v1/overrides`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = (await o.json()) as { version: number; consumers: Record<string, unknown> };
        expect(body.version).toBe(version);
        expect(body.consumers.acme).toEqual({
          limits: { requests: { perMinute: 3, burst: 0, sustainMinutes: 5 } },
        });
      }
    }, 20_000);
    // And the data plane enforces it as one shared limit: 3 requests across the three replicas, the
    // fourth refused (the YAML plan alone would allow 90 per minute).
    const ask = (r: TestGateway) =>
      r
        .client({ apiKey: demo.key })
        .chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] });
    for (const r of replicas) await ask(r);
    for (const r of replicas)
      await expect(ask(r)).rejects.toMatchObject({ status: 429, code: 'GH_ERR_RATE_REQUESTS' });
  });
});
