import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESILIENCE } from '../../../src/resilience/slots.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { tmp } from '../telemetry/helpers.js';
import { admin, chat, freshPrefix, REDIS_URL } from './helpers.js';
import { UpstreamProcess } from './upstream-process.js';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, read field by field in assertions
type Json = Record<string, any>;

/**
 * PACE transitions and kill-switch engagements are rules of the built-in alert engine (issue 16):
 * a real fault (the upstream process SIGKILLed) takes the route to Contingency and the `pace_state`
 * alert fires on /health/alerts and as an `alert.firing` audit event; recovery resolves it. The kill
 * switch engaged through the admin handler fires `kill_switch` with who and why; release resolves it.
 */
let upstream: UpstreamProcess;
let gw: TestGateway;
const dir = tmp('gh-res-alerts-');
const auditFile = join(dir, 'audit.ndjson');
const WAIT = 60_000;

beforeAll(async () => {
  upstream = await UpstreamProcess.start();
  gw = await startTestGateway({
    config: () => ({
      store: { kind: 'redis' as const, url: REDIS_URL, prefix: freshPrefix() },
      routes: [demoRoute(upstream.url)],
      telemetry: {
        audit: { sinks: [{ kind: 'file' as const, path: auditFile }] },
        spool: { dir: join(dir, 'spool') },
        alerts: {
          bucketMs: 1_000,
          evaluateIntervalMs: 1_000,
          signals: { paceState: { windowMs: 2_000 }, killSwitch: { windowMs: 2_000 } },
        },
      },
      resilience: {
        killSwitch: { pollMs: 100 },
        retry: { attempts: 1 },
        breaker: { consecutiveFailures: 2, openMs: 500 },
      },
    }),
  });
}, WAIT);
afterAll(async () => {
  await gw?.close();
  await upstream?.kill();
  rmSync(dir, { recursive: true, force: true });
});

const alertEvents = (signal: string, action: 'alert.firing' | 'alert.resolved'): Json[] =>
  readFileSync(auditFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json)
    .filter((e) => e.event?.action === action && e.gatehouse?.alert?.signal === signal);
const health = async (): Promise<Json> =>
  (await fetch(`${gw.gw.healthUrl}/health/alerts`)).json() as Promise<Json>;
const firingSignals = async (): Promise<string[]> =>
  ((await health()).firing as Array<{ signal: string }>).map((f) => f.signal);

describe('PACE and kill switch in the built-in alert engine', () => {
  it(
    'the upstream killed → Contingency fires `pace_state`; recovery to Primary resolves it',
    async () => {
      const pace = RESILIENCE.require(gw.gw.rt).pace;
      expect((await chat(gw.gw.url, gw.authHeaders)).status).toBe(200);
      await upstream.kill();
      for (let i = 0; i < 2; i++) expect((await chat(gw.gw.url, gw.authHeaders)).status).toBe(502);
      expect(pace.stateOf('demo')).toBe('contingency');

      await eventually(async () => expect(await firingSignals()).toContain('pace_state'), WAIT);
      await eventually(() => {
        const [fired] = alertEvents('pace_state', 'alert.firing');
        expect(fired?.gatehouse.alert).toMatchObject({
          severity: 'high',
          labels: { route: 'demo', state: 'contingency' },
        });
        expect(fired?.event.reason).toContain('breaker open');
        expect(fired?.gatehouse.owasp.asi).toContain('ASI08');
      }, WAIT);
      expect(alertEvents('pace_state', 'alert.resolved')).toHaveLength(0);

      await upstream.up();
      await eventually(async () => {
        expect((await chat(gw.gw.url, gw.authHeaders)).status).toBe(200);
        expect(pace.stateOf('demo')).toBe('primary');
      }, WAIT);
      await eventually(() => {
        const [resolved] = alertEvents('pace_state', 'alert.resolved');
        expect(resolved?.gatehouse.alert.labels).toEqual({ route: 'demo', state: 'contingency' });
      }, WAIT);
      expect(await firingSignals()).not.toContain('pace_state');
    },
    4 * WAIT,
  );

  it(
    'the kill switch engaged by an operator fires `kill_switch` with who and why; the release resolves it',
    async () => {
      await admin(gw.gw.rt, 'POST', '/killswitch/engage', { scope: 'route', target: 'demo' }, 'INC-9 drill');
      expect((await chat(gw.gw.url, gw.authHeaders)).status).toBe(503);
      await eventually(() => {
        const [fired] = alertEvents('kill_switch', 'alert.firing');
        expect(fired?.gatehouse.alert.labels).toEqual({ scope: 'route', target: 'demo' });
        expect(fired?.event.reason).toContain('by alice: INC-9 drill');
      }, WAIT);
      expect(await firingSignals()).toContain('kill_switch');
      // Emergency is the kill switch's alert: the route's PACE alert does not fire for it.
      expect(alertEvents('pace_state', 'alert.firing')).toHaveLength(1);

      await admin(gw.gw.rt, 'POST', '/killswitch/release', { scope: 'route', target: 'demo' }, 'drill over');
      await eventually(() => expect(alertEvents('kill_switch', 'alert.resolved')).toHaveLength(1), WAIT);
      expect((await chat(gw.gw.url, gw.authHeaders)).status).toBe(200);
    },
    3 * WAIT,
  );
});
