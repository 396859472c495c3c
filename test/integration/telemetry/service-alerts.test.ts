import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { telemetrySchema } from '../../../src/config/schema/telemetry.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import type { AuditEvent } from '../../../src/telemetry/audit/schema.js';
import { createTelemetryService, type TelemetryService } from '../../../src/telemetry/service.js';
import { eventually } from '../../helpers/gateway.js';
import { tmp } from './helpers.js';

const servers: Server[] = [];
const services: TelemetryService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

async function serve(
  handler: (path: string, body: string) => { status: number; body: string },
): Promise<string> {
  const server = createServer((req, res) => {
    let b = '';
    req.on('data', (c) => {
      b += c;
    });
    req.on('end', () => {
      const a = handler(req.url ?? '/', b);
      res.writeHead(a.status, { 'content-type': 'text/plain' }).end(a.body);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('telemetry service: alerts and GPU metrics end to end', () => {
  it('an alert raised from security events reaches the audit sinks and the webhook, then resolves', async () => {
    const hooks: Array<Record<string, unknown>> = [];
    const url = await serve((_p, body) => {
      hooks.push(JSON.parse(body) as Record<string, unknown>);
      return { status: 200, body: '{}' };
    });
    const clock = { t: Date.UTC(2026, 5, 1, 12) };
    const dir = tmp('gh-svc-alerts-');
    const svc = await createTelemetryService({
      config: telemetrySchema.parse({
        audit: { sinks: [{ kind: 'file', path: join(dir, 'audit.ndjson') }] },
        alerts: { webhooks: [{ kind: 'generic', url }] },
      }),
      store: createMemoryStore(() => clock.t),
      registry: new Registry(),
      logger: pino({ level: 'silent' }),
      now: () => clock.t,
      autoTick: false,
    });
    services.push(svc);
    for (let i = 0; i < 11; i++)
      svc.security({ action: 'auth.failure', reason: 'GH_ERR_AUTH_INVALID' }, { sourceIp: '198.51.100.23' });
    clock.t += 10_000;
    await svc.alerts!.tick();
    clock.t += 2 * 60_000;
    await svc.alerts!.tick();
    expect(await svc.drain(2_000)).toBe(true);

    const events = readFileSync(join(dir, 'audit.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEvent);
    expect(events.filter((e) => e.event.action === 'auth.failure')).toHaveLength(11);
    const alerts = events.filter((e) => e.event.kind === 'alert');
    expect(alerts.map((a) => [a.event.action, a.gatehouse.alert?.signal, a.source.ip])).toEqual([
      ['alert.firing', 'auth_failures', '198.51.100.23'],
      ['alert.resolved', 'auth_failures', '198.51.100.23'],
    ]);
    expect(alerts[0]!.event.severity).toBe(73);
    await eventually(() => expect(hooks.map((h) => h.status)).toEqual(['firing', 'resolved']));
    expect(hooks[0]).toMatchObject({
      signal: 'auth_failures',
      severity: 'high',
      labels: { source_ip: '198.51.100.23' },
    });
  });

  it('GPU memory is read from a DCGM exporter endpoint and re-exported', async () => {
    let used = 40_000;
    const url = await serve((path) =>
      path === '/metrics'
        ? {
            status: 200,
            body: `# TYPE DCGM_FI_DEV_FB_USED gauge\nDCGM_FI_DEV_FB_USED{gpu="0",UUID="GPU-a"} ${used}\nDCGM_FI_DEV_FB_FREE{gpu="0",UUID="GPU-a"} ${80_000 - used}\n`,
          }
        : { status: 404, body: '' },
    );
    const registry = new Registry();
    const svc = await createTelemetryService({
      config: telemetrySchema.parse({
        metrics: { gpu: { url: `${url}/metrics`, format: 'dcgm', intervalMs: 50 } },
      }),
      store: createMemoryStore(),
      registry,
      logger: pino({ level: 'silent' }),
      autoTick: false,
    });
    services.push(svc);
    await eventually(async () =>
      expect(await registry.metrics()).toContain(
        'gatehouse_gpu_memory_utilization_ratio{gpu="0",source="dcgm"} 0.5',
      ),
    );
    used = 76_000;
    await eventually(async () =>
      expect(await registry.metrics()).toContain(
        'gatehouse_gpu_memory_utilization_ratio{gpu="0",source="dcgm"} 0.95',
      ),
    );
    expect(await registry.metrics()).toMatch(/gatehouse_gpu_scrape_errors_total 0/);
  });
});
