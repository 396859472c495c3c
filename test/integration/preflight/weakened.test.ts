import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import type { GatehouseConfigInput } from '../../../src/config/schema/index.js';
import { demoApiKey } from '../../../src/edge/auth/demo.js';
import { LIVE_CHECKS } from '../../../src/preflight/live-checks.js';
import { runAudit } from '../../../src/preflight/run.js';
import { STATIC_CHECKS } from '../../../src/preflight/static-checks.js';
import type { AuditInput, CheckDef, CheckResult } from '../../../src/preflight/types.js';
import { demoRoute, startTestGateway } from '../../helpers/gateway.js';
import { createPki, type Pki } from '../../helpers/pki.js';
import { auditInput } from './audit-support.js';

/**
 * Deliberately weakened deployments: each weakness makes its own checks fail, with evidence that
 * names it. Static weaknesses are read from the config; live ones are probed on a running target.
 */
let pki: Pki;
beforeAll(() => {
  pki = createPki();
});

const only = (ids: readonly string[]): CheckDef[] =>
  [...STATIC_CHECKS, ...LIVE_CHECKS].filter((c) => ids.includes(c.id));

async function check(input: AuditInput, id: string): Promise<CheckResult> {
  const r = (await runAudit(input, only([id]))).results[0];
  if (r === undefined) throw new Error(`no result for ${id}`);
  return r;
}

const base = (extra: Partial<GatehouseConfigInput> = {}): GatehouseConfigInput => ({
  server: { host: '127.0.0.1', port: 8080, tls: { cert: pki.serverCert, key: pki.serverKey } },
  routes: [demoRoute('http://127.0.0.1:9/v1')],
  ...extra,
});

describe('static weaknesses', () => {
  it('health on the data port', async () => {
    const cfg = parseConfig(base({ health: { port: 8080 } }));
    const r = await check(auditInput({ config: cfg }), 'CL-04.side-listeners');
    expect(r.verdict).toBe('fail');
    expect(r.evidence).toContain('health.port 8080 is the data-plane port');
    const lint = await check(auditInput({ config: cfg }), 'GW-CFG.valid');
    expect(lint.verdict).toBe('fail');
    expect(lint.evidence.join('\n')).toMatch(/health\.port: must differ/);
  });

  it('no limits', async () => {
    const r = await check(
      auditInput({ config: parseConfig(base({ limits: { enabled: false } })) }),
      'CL-13.limits-configured',
    );
    expect(r).toMatchObject({
      verdict: 'fail',
      evidence: ['limits.enabled: false (no rate, token or cost limit is enforced)'],
    });
  });

  it('unpinned model', async () => {
    const cfg = parseConfig(
      base({
        routes: [
          {
            ...demoRoute('http://127.0.0.1:9/v1'),
            upstream: {
              provider: 'openai',
              url: 'http://127.0.0.1:9/v1',
              model: 'gpt-4o',
              zone2Colocated: true,
            },
          },
        ],
      }),
    );
    const r = await check(auditInput({ config: cfg }), 'CL-09.model-pinned');
    expect(r.verdict).toBe('fail');
    expect(r.evidence[0]).toMatch(/routes\[0\]\.upstream\.model: "gpt-4o"/);
  });

  it('guard off on one route', async () => {
    const cfg = parseConfig(
      base({
        routes: [
          demoRoute('http://127.0.0.1:9/v1'),
          { ...demoRoute('http://127.0.0.1:9/v1'), alias: 'open' },
        ],
        guard: { routes: { open: { injection: { enabled: false } } } },
      }),
    );
    const r = await check(auditInput({ config: cfg }), 'CL-03.guardrails-inline');
    expect(r).toMatchObject({
      verdict: 'fail',
      evidence: ['open: injection detector disabled on this route'],
    });
  });

  it('output guard off on one route; secrets scanning off', async () => {
    const cfg = parseConfig(
      base({
        outputGuard: { routes: { demo: { policy: { enabled: false } } } },
        guard: { defaults: { secrets: { enabled: false } } },
      }),
    );
    expect((await check(auditInput({ config: cfg }), 'CL-03.guardrails-inline')).evidence).toEqual([
      'demo: output guardrail disabled',
    ]);
    expect((await check(auditInput({ config: cfg }), 'CL-14.credential-scanning')).evidence).toEqual([
      'demo: input secret scanning off (or action allow)',
      'demo: output secret scanning off (or action allow)',
    ]);
  });

  it('API-key-only authentication at tier 2', async () => {
    const cfg = parseConfig(
      base({ routes: [{ ...demoRoute('http://127.0.0.1:9/v1'), tier: 2 }], auth: demoApiKey().auth }),
    );
    const r = await check(auditInput({ config: cfg }), 'CL-02.auth-required');
    expect(r.verdict).toBe('fail');
    expect(r.evidence[0]).toMatch(/route "demo" is tier 2 but only API keys are configured/);
  });

  it('tier 3 without mTLS; plain HTTP; no SIEM sink', async () => {
    const cfg = parseConfig({
      server: { host: '127.0.0.1', port: 8080, allowPlaintext: true },
      routes: [
        {
          ...demoRoute('http://10.0.0.5:8000/v1'),
          tier: 3,
          upstream: { provider: 'openai', url: 'http://10.0.0.5:8000/v1', model: 'm-2024-01-01' },
        },
      ],
    });
    const input = auditInput({ config: cfg });
    expect((await check(input, 'CL-06.mtls-tier3')).evidence).toEqual([
      'server.tls.clientAuth: no TLS (tier 3 needs required)',
      'demo: upstream hop without a client certificate (upstream.tls.cert)',
    ]);
    expect((await check(input, 'CL-05.tls-configured')).verdict).toBe('fail');
    expect((await check(input, 'CL-12.siem-sink')).evidence[0]).toMatch(/no SIEM sink/);
  });
});

describe('live weaknesses', () => {
  it('TLS 1.0 allowed in front (a weak terminator): legacy versions and weak ciphers are reported', async () => {
    const tg = await startTestGateway();
    const gwPort = Number(new URL(tg.gw.url).port);
    // A misconfigured TLS terminator in front of the gateway: every version and cipher.
    const front = createTlsServer(
      {
        cert: readFileSync(pki.serverCert),
        key: readFileSync(pki.serverKey),
        minVersion: 'TLSv1',
        ciphers: 'ALL:@SECLEVEL=0',
      },
      (c) => {
        const up = connect(gwPort, '127.0.0.1');
        c.pipe(up).pipe(c);
        c.on('error', () => up.destroy());
        up.on('error', () => c.destroy());
      },
    );
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    try {
      const target = new URL(`https://127.0.0.1:${(front.address() as { port: number }).port}/`);
      const input = auditInput({ config: tg.config, target, tls: { ca: pki.caCert, insecure: false } });
      const legacy = await check(input, 'CL-05.tls-legacy-refused');
      expect(legacy.verdict).toBe('fail');
      expect(legacy.evidence.join('\n')).toMatch(/^TLSv1: accepted \(TLSv1, /m);
      expect(legacy.evidence.join('\n')).toMatch(/^TLSv1\.1: accepted/m);
      const weak = await check(input, 'CL-05.weak-ciphers-refused');
      expect(weak.verdict).toBe('fail');
      // The test certificate is ECDSA: the CBC-SHA1 ECDHE-ECDSA suites are the weak ones it can offer.
      expect(weak.evidence).toContain('ECDHE-ECDSA-AES128-SHA: accepted');
      const hsts = await check(input, 'CL-05.hsts');
      expect(hsts.verdict).toBe('fail');
    } finally {
      await new Promise<void>((r) => front.close(() => r()));
      await tg.close();
    }
  });

  it('health and metrics served on the data port', async () => {
    const leaky = createServer((req, res) => {
      res.writeHead(req.url === '/metrics' || req.url === '/health' ? 200 : 404);
      res.end(req.url === '/metrics' ? '# HELP up gauge\n' : '{"status":"ok"}');
    });
    await new Promise<void>((r) => leaky.listen(0, '127.0.0.1', r));
    try {
      const target = new URL(`http://127.0.0.1:${(leaky.address() as { port: number }).port}/`);
      const r = await check(auditInput({ config: null, target }), 'CL-04.not-on-data-port');
      expect(r.verdict).toBe('fail');
      expect(r.evidence).toEqual(['GET /health → 200', 'GET /metrics → 200']);
    } finally {
      await new Promise<void>((r) => leaky.close(() => r()));
    }
  });

  it('no limits: the bounded probe sees no 429', async () => {
    const tg = await startTestGateway({
      config: (u) => ({ routes: [demoRoute(u)], limits: { enabled: false } }),
    });
    try {
      const input = auditInput({
        config: tg.config,
        target: new URL(tg.gw.url),
        apiKey: tg.key,
        rateProbeMax: 6,
      });
      const r = await check(input, 'CL-13.rate-limit-429');
      expect(r).toMatchObject({
        verdict: 'fail',
        evidence: ['no 429 after 6 requests', 'the config says limits.enabled: false'],
      });
    } finally {
      await tg.close();
    }
  });

  it('guard off on one route: the injection probe reaches the model', async () => {
    const tg = await startTestGateway({
      config: (u) => ({
        routes: [demoRoute(u), { ...demoRoute(u), alias: 'open' }],
        guard: { routes: { open: { injection: { enabled: false } } } },
      }),
    });
    try {
      const input = auditInput({
        config: tg.config,
        target: new URL(tg.gw.url),
        apiKey: tg.key,
        model: 'open',
      });
      const r = await check(input, 'CL-03.injection-blocked');
      expect(r.verdict).toBe('fail');
      expect(r.evidence[0]).toMatch(/→ 200$/);
      // The guarded route still blocks it.
      expect((await check({ ...input, model: 'demo' }, 'CL-03.injection-blocked')).verdict).toBe('pass');
    } finally {
      await tg.close();
    }
  });
});
