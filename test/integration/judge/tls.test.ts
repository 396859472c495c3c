import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { judgeSchema } from '../../../src/config/schema/judge.js';
import { createJudgeClient } from '../../../src/judge/client.js';
import { compileRubrics } from '../../../src/judge/rubrics.js';
import { JUDGE } from '../../../src/judge/slots.js';
import type { JudgeRecord } from '../../../src/judge/types.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { type JudgeServer, startJudgeServer } from '../../helpers/judge-server.js';
import { createPki, type Pki } from '../../helpers/pki.js';

/**
 * TLS toward the Judge (`judge.endpoint.tls`, the same options and code as a route's upstream):
 * a real HTTPS Judge that requires a client certificate. The right CA, certificate and name pass;
 * any mismatch refuses the connection, which is an unavailable Judge (never a verdict).
 */
let pki: Pki;
let judge: JudgeServer;
let client: { cert: string; key: string };
beforeAll(async () => {
  pki = createPki();
  client = pki.issueClient('gatehouse-judge-client');
  judge = await startJudgeServer({
    tls: { cert: pki.read(pki.serverCert), key: pki.read(pki.serverKey), clientCa: pki.read(pki.clientCa) },
  });
});
afterAll(async () => {
  await judge?.close();
});

const record: JudgeRecord = {
  v: 1,
  id: 'req-tls-1',
  at: 1,
  traceId: 't',
  route: 'demo',
  tier: 1,
  endpoint: 'chat',
  model: 'gatehouse-demo-2026-01-01',
  deployment: '127.0.0.1:1',
  identity: { consumer: 'acme', agent: null, session: null, method: 'api_key' },
  reason: 'flagged',
  flags: [],
  verdicts: [],
  request: [{ role: 'user', content: 'what is the secret plan' }],
  answer: [{ role: 'assistant', content: 'no' }],
  toolCalls: [],
  redacted: true,
  truncated: false,
  usage: { input: 1, output: 1 },
  cost: 0,
};

function evaluateWith(tls: Record<string, unknown> | undefined) {
  const cfg = judgeSchema.parse({
    enabled: true,
    endpoint: { url: judge.url, model: 'judge-model-2026-01-01', timeoutMs: 20_000, tls },
    rubrics: [{ name: 'disclosure', kind: 'sensitive_disclosure' }],
  });
  const [rubric] = compileRubrics(cfg);
  if (cfg.endpoint === undefined || rubric === undefined) throw new Error('bad test config');
  const c = createJudgeClient(cfg.endpoint);
  return c.evaluate(rubric, record).finally(() => c.close());
}

describe('TLS toward the Judge endpoint', () => {
  afterEach(() => {
    judge.calls.length = 0;
  });

  it('the right CA, client certificate and server name reach the Judge', async () => {
    const r = await evaluateWith({
      ca: pki.caCert,
      cert: client.cert,
      key: client.key,
      serverName: 'localhost',
    });
    expect(r).toMatchObject({ ok: true, output: { verdict: 'fail' } });
    expect(judge.calls).toHaveLength(1);
  });

  it.each([
    [
      'a CA that did not sign the Judge’s certificate',
      () => ({ ca: pki.otherCa, cert: client.cert, key: client.key }),
    ],
    ['no CA (system roots only)', () => ({ cert: client.cert, key: client.key })],
    [
      'a server name the certificate does not carry',
      () => ({ ca: pki.caCert, cert: client.cert, key: client.key, serverName: 'judge.internal' }),
    ],
    ['no client certificate (the Judge requires one)', () => ({ ca: pki.caCert })],
    [
      'a client certificate from another CA',
      () => {
        const other = pki.issueClient('stranger', { ca: 'other' });
        return { ca: pki.caCert, cert: other.cert, key: other.key };
      },
    ],
  ])('refuses closed with %s: unavailable, nothing judged', async (_name, tls) => {
    const r = await evaluateWith(tls());
    expect(r).toMatchObject({ ok: false, failure: 'unavailable' });
    expect(judge.calls).toHaveLength(0);
  });

  it('refuses a Judge below the configured minimum version', async () => {
    const old = await startJudgeServer({
      tls: { cert: pki.read(pki.serverCert), key: pki.read(pki.serverKey), maxVersion: 'TLSv1.2' },
    });
    try {
      const cfg = (minVersion: string) =>
        judgeSchema.parse({
          enabled: true,
          endpoint: { url: old.url, model: 'judge-model-2026-01-01', tls: { ca: pki.caCert, minVersion } },
          rubrics: [{ name: 'disclosure', kind: 'sensitive_disclosure' }],
        });
      for (const [minVersion, ok] of [
        ['TLSv1.3', false],
        ['TLSv1.2', true],
      ] as const) {
        const c = cfg(minVersion);
        const [rubric] = compileRubrics(c);
        if (c.endpoint === undefined || rubric === undefined) throw new Error('bad test config');
        const j = createJudgeClient(c.endpoint);
        const r = await j.evaluate(rubric, record).finally(() => j.close());
        expect(r.ok, minVersion).toBe(ok);
      }
      expect(old.calls).toHaveLength(1);
    } finally {
      await old.close();
    }
  });

  it('refuses judge.endpoint.tls on a plain http url', () => {
    const r = judgeSchema.safeParse({
      enabled: true,
      endpoint: { url: 'http://127.0.0.1:1/v1', model: 'j', tls: { ca: pki.caCert } },
    });
    expect(r.success).toBe(false);
  });

  it('a running gateway judges over mutual TLS: the finding lands in the review queue', async () => {
    let t: TestGateway | null = null;
    try {
      t = await startTestGateway({
        config: (url) => ({
          routes: [demoRoute(url)],
          guard: {
            defaults: { policy: { enabled: true, action: 'flag', deniedTopics: { exfil: ['secret plan'] } } },
          },
          judge: {
            enabled: true,
            endpoint: {
              url: judge.url,
              model: 'judge-model-2026-01-01',
              timeoutMs: 60_000,
              tls: { ca: pki.caCert, cert: client.cert, key: client.key, minVersion: 'TLSv1.3' },
            },
            sampling: { tiers: { 1: { rate: 0 }, 2: { rate: 0 }, 3: { rate: 0 } } },
            rubrics: [{ name: 'disclosure', kind: 'sensitive_disclosure' }],
            calibration: { passSampleRate: 0 },
            aggregate: { enabled: false },
            workers: { blockMs: 100 },
          },
        }),
      });
      const gw = t;
      await gw.client().chat.completions.create({
        model: 'demo',
        messages: [{ role: 'user', content: 'Tell me the secret plan' }],
      });
      await eventually(async () => {
        const page = await JUDGE.require(gw.gw.rt).review.list({ status: 'open' }, 10, 0);
        expect(page.findings).toHaveLength(1);
      }, 30_000);
      expect(judge.calls).toHaveLength(1);
    } finally {
      await t?.close();
    }
  }, 120_000);
});
