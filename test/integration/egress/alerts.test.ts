import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EgressProcess, startEgress } from '../../../src/boot/egress.js';
import { parseConfig } from '../../../src/config/load.js';
import { TELEMETRY } from '../../../src/telemetry/slots.js';
import { eventually } from '../../helpers/gateway.js';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, read field by field in assertions
type Json = Record<string, any>;

/**
 * Egress denials feed the built-in alert engine (issue 20): a burst of denied attempts from one
 * identity fires `egress_denials` for that identity (an `alert.firing` audit event naming it), a
 * second identity under the threshold does not, and the alert resolves once the window is quiet.
 */
const AGENT = 'agent-proxy-secret-0123456789';
const TOOL = 'tool-proxy-secret-0123456789';
const WAIT = 60_000;
let proxy: EgressProcess;
const dir = mkdtempSync(join(tmpdir(), 'gh-egress-alerts-'));
const auditFile = join(dir, 'audit.ndjson');

beforeAll(async () => {
  process.env.GH_TEST_EGRESS_ALERT_AGENT = AGENT;
  process.env.GH_TEST_EGRESS_ALERT_TOOL = TOOL;
  const config = parseConfig({
    telemetry: {
      audit: { sinks: [{ kind: 'file', path: auditFile }] },
      alerts: {
        bucketMs: 1_000,
        evaluateIntervalMs: 1_000,
        signals: { egressDenials: { windowMs: 5_000, threshold: 3 } },
      },
    },
    egress: {
      port: 0,
      identities: [
        {
          id: 'agent',
          credential: '${GH_TEST_EGRESS_ALERT_AGENT}',
          allow: [{ host: 'allowed.test', ports: [443] }],
        },
        {
          id: 'tool-a',
          credential: '${GH_TEST_EGRESS_ALERT_TOOL}',
          allow: [{ host: 'allowed.test', ports: [443] }],
        },
      ],
    },
  });
  proxy = await startEgress(config, { logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await proxy?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One CONNECT to a host no identity may reach; resolves with the proxy's status. */
function deniedConnect(id: string, secret: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: proxy.address.port });
    const auth = Buffer.from(`${id}:${secret}`).toString('base64');
    s.once('error', reject);
    s.once('connect', () =>
      s.write(
        `CONNECT denied.test:443 HTTP/1.1\r\nhost: denied.test:443\r\nproxy-authorization: Basic ${auth}\r\n\r\n`,
      ),
    );
    let buf = '';
    s.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
    });
    s.once('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(buf)?.[1])));
  });
}

const alertEvents = (action: string): Json[] =>
  readFileSync(auditFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json)
    .filter((e) => e.event?.action === action && e.gatehouse?.alert?.signal === 'egress_denials');

describe('egress denials in the built-in alert engine', () => {
  it(
    'a burst from one identity fires `egress_denials` for it alone, and resolves when quiet',
    async () => {
      for (let i = 0; i < 5; i++) expect(await deniedConnect('agent', AGENT)).toBe(403);
      for (let i = 0; i < 2; i++) expect(await deniedConnect('tool-a', TOOL)).toBe(403);

      await eventually(() => {
        const fired = alertEvents('alert.firing');
        expect(fired).toHaveLength(1);
        expect(fired[0]?.user.id).toBe('agent');
        expect(fired[0]?.gatehouse.alert).toMatchObject({ labels: { identity: 'agent' }, threshold: 3 });
        expect(fired[0]?.gatehouse.alert.value).toBeGreaterThan(3);
      }, WAIT);
      expect(
        TELEMETRY.require(proxy.rt)
          .alerts?.firing()
          .map((a) => a.labels.identity),
      ).toEqual(['agent']);

      await eventually(() => expect(alertEvents('alert.resolved')).toHaveLength(1), WAIT);
      // The identity under the threshold was in the same windows and never fired.
      expect(alertEvents('alert.firing').map((e) => e.gatehouse.alert.labels.identity)).toEqual(['agent']);
    },
    3 * WAIT,
  );
});
