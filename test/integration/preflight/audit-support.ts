import { mkdtempSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatehouseConfig, GatehouseConfigInput } from '../../../src/config/schema/index.js';
import type { AuditInput } from '../../../src/preflight/types.js';
import { demoRoute } from '../../helpers/gateway.js';
import type { Pki } from '../../helpers/pki.js';

export const REPO = join(import.meta.dirname, '../../..');

/** A loopback port that was free a moment ago and is closed now: an "unreachable upstream". */
export async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export function auditInput(
  over: Partial<AuditInput> & { config: Readonly<GatehouseConfig> | null },
): AuditInput {
  return {
    configProblems: [],
    configFile: 'test.yaml',
    target: null,
    apiKey: null,
    model: null,
    upstreams: [],
    manifests: null,
    dockerfile: null,
    tls: { insecure: false },
    rateProbeMax: 20,
    timeoutMs: 3_000,
    ...over,
  };
}

/** A plan small enough for the bounded rate-limit probe. */
export const AUDIT_PLAN = {
  requests: { perMinute: 4 },
  inputTokens: { perMinute: 100_000 },
  outputTokens: { perMinute: 50_000 },
  cost: { softPerHour: 5, hardPerHour: 10 },
  concurrency: 5,
};

/** A config every static check passes: TLS, limits small enough to probe, a SIEM sink. */
export function hardenedConfig(
  pki: Pki,
  upstreamUrl: string,
  auth: GatehouseConfigInput['auth'],
): GatehouseConfigInput {
  return {
    server: {
      host: '127.0.0.1',
      port: 0,
      allowPlaintext: false,
      tls: { cert: pki.serverCert, key: pki.serverKey },
    },
    routes: [demoRoute(upstreamUrl)],
    auth,
    limits: { plans: { standard: AUDIT_PLAN } },
    telemetry: {
      audit: { sinks: [{ kind: 'syslog', host: '127.0.0.1', port: 9, tls: { ca: pki.caCert } }] },
      spool: { dir: mkdtempSync(join(tmpdir(), 'gh-audit-spool-')) },
    },
    // The out-of-band kill switch: a flag file engages it without the store or the control plane.
    resilience: { killSwitch: { file: join(mkdtempSync(join(tmpdir(), 'gh-audit-kill-')), 'KILL') } },
  };
}
