import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { alertsSchema } from '../../../src/config/schema/telemetry.js';
import { createRedisStore, type RedisStore } from '../../../src/store/redis.js';
import { createAlertEngine } from '../../../src/telemetry/alerts/engine.js';
import { createWebhookNotifier } from '../../../src/telemetry/alerts/webhooks.js';
import type { AlertRecord } from '../../../src/telemetry/audit/security.js';
import { eventually } from '../../helpers/gateway.js';

const stores: RedisStore[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

describe('alerts across replicas (real Redis)', () => {
  it('an auth-failure attack spread over three replicas fires once, and resolves once', async () => {
    const prefix = `gh-test-alerts-${randomUUID()}:`;
    const clock = { t: Date.UTC(2026, 0, 1, 12) };
    const now = () => clock.t;
    const notes: Array<AlertRecord & { replica: string }> = [];
    const engines = ['a', 'b', 'c'].map((replica) => {
      const store = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix });
      stores.push(store);
      return createAlertEngine({
        config: alertsSchema.parse({}),
        store,
        now,
        replica,
        autoTick: false,
        notify: (a) => {
          notes.push({ ...a, replica });
        },
      });
    });
    await eventually(() => expect(stores.every((s) => s.healthy())).toBe(true));
    for (const e of engines) await e.start();

    // 4 failures per replica from one IP: no replica alone passes 10, together they make 12.
    for (const e of engines) for (let i = 0; i < 4; i++) e.observeAuthFailure('203.0.113.50');
    clock.t += 10_000;
    for (const e of engines) await e.tick();
    // Buckets travel through Redis pub/sub: wait until every replica has every replica's bucket.
    await eventually(async () => {
      for (const e of engines) await e.tick();
      expect(engines.map((e) => e.gauges().authFailuresMaxPerIp)).toEqual([12, 12, 12]);
    });
    for (const e of engines) await e.tick();
    const fired = notes.filter((n) => n.signal === 'auth_failures' && n.status === 'firing');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.labels).toEqual({ source_ip: '203.0.113.50' });
    expect(engines.every((e) => e.firing().some((a) => a.signal === 'auth_failures'))).toBe(true);

    clock.t += 2 * 60_000;
    for (const e of engines) await e.tick();
    expect(notes.filter((n) => n.signal === 'auth_failures' && n.status === 'resolved')).toHaveLength(1);
    for (const e of engines) await e.close();
  });
});

describe('webhook formats against a real receiver', () => {
  it('delivers generic JSON, Slack and PagerDuty Events v2, retrying a failed delivery', async () => {
    const got: Array<{ path: string; auth: string | undefined; body: Record<string, unknown> }> = [];
    let failOnce = true;
    const server = createServer((req, res) => {
      let b = '';
      req.on('data', (c) => {
        b += c;
      });
      req.on('end', () => {
        if (req.url === '/generic' && failOnce) {
          failOnce = false;
          res.writeHead(503).end();
          return;
        }
        got.push({ path: req.url!, auth: req.headers.authorization, body: JSON.parse(b) });
        res.writeHead(202).end('{}');
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const notifier = createWebhookNotifier(
      [
        {
          kind: 'generic',
          url: `${base}/generic`,
          headers: { authorization: '${HOOK}' },
          minSeverity: 'low',
          timeoutMs: 2000,
          retries: 2,
        },
        {
          kind: 'slack',
          url: `${base}/slack`,
          headers: {},
          minSeverity: 'medium',
          timeoutMs: 2000,
          retries: 0,
        },
        {
          kind: 'pagerduty',
          url: `${base}/pd`,
          routingKey: '${PD}',
          headers: {},
          minSeverity: 'high',
          timeoutMs: 2000,
          retries: 0,
        },
      ],
      (ref) => ({ '${HOOK}': 'Bearer hook-secret', '${PD}': 'pd-routing-key' })[ref] ?? ref,
      () => {},
      async () => {},
    );
    const alert: AlertRecord = {
      signal: 'auth_failures',
      fingerprint: 'auth_failures:203.0.113.50',
      severity: 'high',
      status: 'firing',
      value: 12,
      threshold: 10,
      baseline: null,
      startsAt: Date.UTC(2026, 0, 1),
      endsAt: null,
      summary: '12 authentication failures from 203.0.113.50 in 1m (threshold 10)',
      labels: { source_ip: '203.0.113.50' },
    };
    await notifier.notify(alert);
    await notifier.notify({ ...alert, severity: 'low', fingerprint: 'quota:x', signal: 'quota' });
    await notifier.notify({ ...alert, status: 'resolved', endsAt: Date.UTC(2026, 0, 1, 0, 5) });
    const by = (p: string) => got.filter((g) => g.path === p);
    expect(by('/generic')).toHaveLength(3);
    expect(by('/generic')[0]).toMatchObject({
      auth: 'Bearer hook-secret',
      body: {
        signal: 'auth_failures',
        status: 'firing',
        severity: 'high',
        labels: { source_ip: '203.0.113.50' },
        owasp: { llm: [], asi: ['ASI03'] },
      },
    });
    expect(by('/slack')).toHaveLength(2);
    expect(String(by('/slack')[0]!.body.text)).toContain('[HIGH] Gatehouse auth_failures');
    expect(String(by('/slack')[1]!.body.text)).toContain('[RESOLVED]');
    expect(by('/pd').map((g) => g.body)).toEqual([
      expect.objectContaining({
        routing_key: 'pd-routing-key',
        event_action: 'trigger',
        dedup_key: 'gatehouse:auth_failures:203.0.113.50',
        payload: expect.objectContaining({
          severity: 'critical',
          source: expect.any(String),
          summary: expect.stringContaining('auth_failures'),
        }),
      }),
      {
        routing_key: 'pd-routing-key',
        event_action: 'resolve',
        dedup_key: 'gatehouse:auth_failures:203.0.113.50',
      },
    ]);
    await notifier.close();
  });
});
