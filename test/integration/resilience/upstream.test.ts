import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DemoUpstream, startDemoUpstream } from '../../../src/demo/upstream.js';
import { RESILIENCE } from '../../../src/resilience/slots.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { chat } from './helpers.js';

/**
 * Upstream resilience through the real gateway: retries of idempotent failures only (never after a
 * byte went to the client, never charged twice by the limiter), the breaker's cycle, the backup
 * deployment (whose answer the output guard still inspects), streams falling back before their
 * first byte, and a coded 503 when nothing is left.
 */
type Fault = (res: ServerResponse, n: number) => boolean;
let primaryFault: Fault | null = null;
let primaryCalls = 0;
let backup: DemoUpstream;
let backupAnswer: string | null = null;
let t: TestGateway;

const SECRET = ['ghp', '_', 'R8s2Kd93LmQp0vXz7TbNw4YcHe6JuA1oFg5i'].join('');

const fail503 = (res: ServerResponse) => {
  res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"overloaded"}');
  return true;
};

beforeAll(async () => {
  backup = await startDemoUpstream({
    intercept: (_req, body, res) => {
      if (backupAnswer === null) return false;
      const chatBody = { role: 'assistant', content: backupAnswer };
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'b1',
          object: 'chat.completion',
          created: 1,
          model: String(body.model),
          choices: [{ index: 0, message: chatBody, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
        }),
      );
      return true;
    },
  });
  t = await startTestGateway({
    upstream: {
      intercept: (_req, _body, res) => {
        primaryCalls++;
        return primaryFault?.(res, primaryCalls) ?? false;
      },
    },
    config: (url) => ({
      routes: [
        demoRoute(url),
        demoRoute(backup.url, {
          alias: 'small',
          upstream: {
            provider: 'openai',
            url: backup.url,
            model: 'backup-small-2026-02-01',
            zone2Colocated: true,
          },
        }),
      ],
      resilience: {
        retry: { attempts: 3, baseMs: 20, maxMs: 50, maxRetryAfterMs: 2_000 },
        breaker: { consecutiveFailures: 3, minCalls: 100, openMs: 400, halfOpenProbes: 1 },
        routes: { demo: { backups: ['small'] } },
      },
    }),
  });
});
afterAll(async () => {
  await t.close();
  await backup.close();
});
beforeEach(async () => {
  primaryFault = null;
  primaryCalls = 0;
  backupAnswer = null;
  // Each test starts with closed breakers: wait out any open one and let a probe close it.
  const svc = RESILIENCE.require(t.gw.rt);
  await eventually(async () => {
    if (svc.breakers.state('demo') !== 'closed') await chat(t.gw.url, t.authHeaders);
    expect(svc.breakers.state('demo')).toBe('closed');
  });
  primaryCalls = 0;
});

const remaining = (h: Headers) => Number(h.get('x-ratelimit-remaining-requests'));

describe('retries', () => {
  it('retries 503s with backoff and charges the limiter once', async () => {
    const first = await chat(t.gw.url, t.authHeaders);
    expect(first.status).toBe(200);
    primaryFault = (res, n) => n <= 2 && fail503(res);
    const r = await chat(t.gw.url, t.authHeaders);
    expect(r.status).toBe(200);
    expect(primaryCalls).toBe(3);
    // One admission for three upstream attempts.
    expect(remaining(first.headers) - remaining(r.headers)).toBe(1);
  });

  it('honours a 429 retry-after before retrying', async () => {
    primaryFault = (res, n) => {
      if (n > 1) return false;
      res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' }).end('{}');
      return true;
    };
    const start = Date.now();
    const r = await chat(t.gw.url, t.authHeaders);
    expect(r.status).toBe(200);
    expect(primaryCalls).toBe(2);
    expect(Date.now() - start).toBeGreaterThanOrEqual(1_000);
  });

  it('does not retry a request the upstream rejected as invalid', async () => {
    primaryFault = (res) => {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{}');
      return true;
    };
    const r = await chat(t.gw.url, t.authHeaders);
    expect(r.code).toBe('GH_ERR_UPSTREAM_REJECTED');
    expect(primaryCalls).toBe(1);
  });

  it('never retries once the first byte of a stream went to the client', async () => {
    primaryFault = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(
        `data: ${JSON.stringify({ id: 's', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'partial ' } }] })}\n\n`,
      );
      setTimeout(() => res.socket?.destroy(), 50);
      return true;
    };
    const res = await fetch(`${t.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...t.authHeaders },
      body: JSON.stringify({ model: 'demo', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const text = await res.text();
    expect(text).toContain('partial');
    expect(text).toContain('GH_ERR_UPSTREAM_');
    expect(primaryCalls).toBe(1);
  });
});

describe('breaker and backup deployment', () => {
  it('falls back to the backup when the primary fails, and the output guard inspects the backup answer', async () => {
    primaryFault = fail503;
    backupAnswer = `here is the token: ${SECRET}`;
    const r = await chat(t.gw.url, t.authHeaders);
    expect(r.status).toBe(422);
    expect(r.code).toBe('GH_ERR_OUTPUT_BLOCKED');
    backupAnswer = 'A clean answer from the small model.';
    const ok = await chat(t.gw.url, t.authHeaders);
    expect(ok.status).toBe(200);
    expect(ok.body.model).toBe('demo');
    expect((ok.body.choices as Array<{ message: { content: string } }>)[0]?.message.content).toBe(
      backupAnswer,
    );
    // The backup is pinned like the primary: its own model id went upstream.
    expect(backup.received.at(-1)?.body.model).toBe('backup-small-2026-02-01');
    await eventually(() => {
      const line = t.logs.lines.findLast((l) => l.event === 'pace.transition' && l.to === 'contingency');
      expect(line).toBeDefined();
    });
  });

  it('opens after consecutive failures, refuses without calling, half-opens, closes on a good probe', async () => {
    const svc = RESILIENCE.require(t.gw.rt);
    const d = 'demo'; // breakers are keyed by the route that defines the deployment
    primaryFault = fail503;
    backupAnswer = 'backup';
    await chat(t.gw.url, t.authHeaders); // 3 failed attempts: the breaker opens
    expect(svc.breakers.state(d)).toBe('open');
    const calls = primaryCalls;
    const r = await chat(t.gw.url, t.authHeaders);
    expect(r.status).toBe(200); // the backup answered
    expect(primaryCalls).toBe(calls); // the primary was not called while open
    expect(svc.pace.stateOf('demo')).toBe('contingency');
    primaryFault = null;
    await eventually(() => expect(svc.breakers.state(d)).toBe('half_open'));
    const probe = await chat(t.gw.url, t.authHeaders);
    expect(probe.status).toBe(200);
    expect(primaryCalls).toBe(calls + 1);
    expect(svc.breakers.state(d)).toBe('closed');
    await eventually(() => expect(svc.pace.stateOf('demo')).toBe('primary'));
  });

  it('streams fall back before their first byte', async () => {
    primaryFault = fail503;
    const res = await fetch(`${t.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...t.authHeaders },
      body: JSON.stringify({
        model: 'demo',
        stream: true,
        messages: [{ role: 'user', content: 'stream me' }],
      }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('cmpl-demo-');
    expect(text).toContain('[DONE]');
    expect(text).not.toContain('error');
    expect(backup.received.at(-1)?.body.stream).toBe(true);
  });

  it('every deployment open: a coded 503 with retry-after, nothing called', async () => {
    primaryFault = fail503;
    const svc = RESILIENCE.require(t.gw.rt);
    // Open the backup too: its upstream answers 503 from now on.
    backupAnswer = null;
    const stop = backup.server.listeners('request');
    backup.server.removeAllListeners('request');
    backup.server.on('request', (_req, res: ServerResponse) => fail503(res));
    try {
      await chat(t.gw.url, t.authHeaders);
      expect(svc.breakers.state('demo')).toBe('open');
      expect(svc.breakers.state('small')).toBe('open');
      const before = primaryCalls;
      const r = await chat(t.gw.url, t.authHeaders);
      expect(r.status).toBe(503);
      expect(r.code).toBe('GH_ERR_UPSTREAM_CIRCUIT_OPEN');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(primaryCalls).toBe(before);
    } finally {
      backup.server.removeAllListeners('request');
      for (const l of stop) backup.server.on('request', l as (...a: unknown[]) => void);
      primaryFault = null;
      await eventually(async () => {
        await chat(t.gw.url, t.authHeaders, 'probe', { model: 'small' });
        expect(svc.breakers.state('small')).toBe('closed');
      });
    }
  });
});
