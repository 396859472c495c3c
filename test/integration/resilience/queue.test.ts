import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_MODEL_ID } from '../../../src/demo/upstream.js';
import { demoApiKey } from '../../../src/edge/auth/demo.js';
import { eventually } from '../../helpers/gateway.js';
import { type GatewayProc, killGatewayProc, startGatewayProc } from './gateway-process.js';
import { chat, freshPrefix, REDIS_URL } from './helpers.js';
import { UpstreamProcess } from './upstream-process.js';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, read field by field in assertions
type Json = Record<string, any>;
/**
 * The durable contingency queue on real Redis Streams: with the upstream dead, requests are accepted
 * (202 + job id); the gateway that accepted them is SIGKILLed; a new gateway claims them once the
 * upstream is back, replays each through the pipeline exactly once, and the consumer reads the
 * answer from GET /v1/gatehouse/jobs/{id}. A job that keeps failing is dead-lettered after N attempts
 * and its callback (allowlisted only) is told.
 */
const procs: GatewayProc[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const p of procs) await killGatewayProc(p, 'SIGTERM').catch(() => {});
  for (const c of cleanups) await c().catch(() => {});
});

function config(upstreamUrl: string, prefix: string, auth: unknown, extra: Record<string, unknown> = {}) {
  return {
    server: { host: '127.0.0.1', port: 0, allowPlaintext: true },
    health: { enabled: false },
    metrics: { enabled: false },
    store: { kind: 'redis', url: REDIS_URL, prefix },
    auth,
    routes: [
      {
        alias: 'demo',
        upstream: { provider: 'openai', url: upstreamUrl, model: DEMO_MODEL_ID, zone2Colocated: true },
        timeouts: { totalMs: 2_000, connectMs: 500 },
      },
    ],
    resilience: {
      retry: { attempts: 1 },
      breaker: { consecutiveFailures: 1, openMs: 300 },
      queue: { claimIdleMs: 500, baseBackoffMs: 200, maxBackoffMs: 400, pollMs: 100, maxAttempts: 50 },
      routes: { demo: { contingency: { queue: true, callbackAllowlist: [] as string[] } } },
      ...extra,
    },
  };
}

const getJob = async (url: string, key: string, id: string) => {
  const res = await fetch(`${url}/v1/gatehouse/jobs/${id}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: (await res.json()) as Json };
};

describe('contingency queue', () => {
  it('jobs survive a gateway SIGKILL and are processed once when the upstream comes back', async () => {
    const upstream = await UpstreamProcess.start();
    cleanups.push(() => upstream.kill());
    await upstream.kill(); // the model endpoint is down from the start
    const prefix = freshPrefix();
    const { auth, key } = demoApiKey();
    const headers = { authorization: `Bearer ${key}` };
    const g1 = await startGatewayProc(config(upstream.url, prefix, auth));
    procs.push(g1);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await chat(g1.url, headers, `queued question number ${i}`);
      expect(r.status).toBe(202);
      expect(r.headers.get('location')).toBe(`/v1/gatehouse/jobs/${String(r.body.id)}`);
      ids.push(String(r.body.id));
    }
    expect((await getJob(g1.url, key, ids[0] ?? '')).body.status).toMatch(/queued|running/);
    // Another consumer cannot see the job.
    const other = demoApiKey('someone-else');
    expect((await getJob(g1.url, other.key, ids[0] ?? '')).status).toBe(401);

    await killGatewayProc(g1); // SIGKILL: no drain, no goodbye
    await upstream.up();
    const g2 = await startGatewayProc(config(upstream.url, prefix, auth));
    procs.push(g2);
    for (const id of ids)
      await eventually(async () => {
        const j = await getJob(g2.url, key, id);
        expect(j.status).toBe(200);
        expect(j.body.status).toBe('done');
        expect(j.body.result.status).toBe(200);
        expect(j.body.result.body.model).toBe('demo');
        expect(JSON.stringify(j.body.result.body)).toContain('queued question number');
      }, 30_000);
    // Exactly once: one finished line per job across both gateways.
    await eventually(() => {
      const finished = [...g1.lines, ...g2.lines].filter((l) => l.event === 'queue.job_finished');
      expect(finished.map((l) => l.job).sort()).toEqual([...ids].sort());
    });
  }, 60_000);

  it('dead-letters a job after N attempts and tells its allowlisted callback', async () => {
    const got: unknown[] = [];
    const receiver: Server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        got.push(JSON.parse(raw));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => receiver.close(() => r())));
    const cb = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/`;
    // An upstream that only ever answers 503.
    const failing: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(503, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((r) => failing.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => failing.close(() => r())));
    const url = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/v1`;
    const prefix = freshPrefix();
    const { auth, key } = demoApiKey();
    const cfg = config(url, prefix, auth, {
      queue: { claimIdleMs: 500, baseBackoffMs: 100, maxBackoffMs: 200, pollMs: 100, maxAttempts: 2 },
      routes: { demo: { contingency: { queue: true, callbackAllowlist: [cb] } } },
    });
    const g = await startGatewayProc(cfg);
    procs.push(g);
    const headers = { authorization: `Bearer ${key}` };
    const refused = await chat(g.url, { ...headers, 'x-gatehouse-callback': 'http://127.0.0.1:9/elsewhere' });
    expect(refused.status).toBe(400);
    expect(refused.code).toBe('GH_ERR_CALLBACK_NOT_ALLOWED');
    const r = await chat(g.url, { ...headers, 'x-gatehouse-callback': `${cb}job-done` });
    expect(r.status).toBe(202);
    const id = String(r.body.id);
    await eventually(async () => {
      const j = await getJob(g.url, key, id);
      expect(j.body.status).toBe('dead');
      expect(j.body.attempts).toBe(2);
      expect(j.body.result.status).toBeGreaterThanOrEqual(502);
    }, 20_000);
    await eventually(() => expect(got).toContainEqual(expect.objectContaining({ id, status: 'dead' })));
    const redis = new Redis(REDIS_URL);
    cleanups.push(async () => void redis.disconnect());
    const dead = await redis.xrange(`${prefix}{q}:dead`, '-', '+');
    expect(dead.map(([, f]) => f[1])).toEqual([id]);
  }, 60_000);
});
