import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_MODEL_ID, type DemoUpstreamOptions } from '../../../src/demo/upstream.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { stagesWithHeaderIdentity } from './identity-stage.js';

/** A bound for asynchronous effects on a loaded CI machine (not a performance threshold). */
const WAIT = 15_000;
/** OpenAI's reset format: 20ms, 1.5s, 1m0.6s. */
const DURATION = /^(\d+ms|(\d+h)?(\d+m)?\d+(\.\d)?s)$/;
const rate = (perMinute: number, burst = 0) => ({ perMinute, burst, sustainMinutes: 5 });
const PLAN = {
  requests: rate(100),
  inputTokens: rate(100_000),
  outputTokens: rate(1_000),
  cost: { softPerHour: 5, hardPerHour: 10 },
  concurrency: 5,
};

let tg: TestGateway | null = null;
afterEach(async () => {
  await tg?.close();
  tg = null;
});

async function start(plan: Partial<typeof PLAN>, upstream: DemoUpstreamOptions = {}) {
  tg = await startTestGateway({
    upstream,
    config: (url) => ({
      routes: [demoRoute(url)],
      limits: {
        plans: { standard: { ...PLAN, ...plan } },
        prices: { [DEMO_MODEL_ID]: { inputPerMillion: 1, outputPerMillion: 4 } },
      },
    }),
    start: { stages: stagesWithHeaderIdentity() },
  });
  return tg;
}

const ask = (content = 'Count these tokens for the limiter test.') => ({
  model: 'demo',
  messages: [{ role: 'user' as const, content }],
  max_tokens: 40,
});

/** The audit record of the n-th finished request (settle runs before record, so it is settled). */
async function record(t: TestGateway, n: number): Promise<Record<string, unknown>> {
  let r: Record<string, unknown> | undefined;
  await eventually(() => {
    r = t.logs.requests()[n];
    expect(r).toBeDefined();
  }, WAIT);
  return r!;
}

describe('limits through the gateway', () => {
  it('the official client gets the rate-limit headers, then a 429 with retry-after and the dimension code', async () => {
    const t = await start({ requests: rate(3) });
    const client = t.client({ defaultHeaders: { 'x-test-consumer': 'alice' } });
    for (let i = 0; i < 3; i++) {
      const { response } = await client.chat.completions.create(ask()).withResponse();
      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('3');
      expect(response.headers.get('x-ratelimit-remaining-requests')).toBe(String(2 - i));
      expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(DURATION);
      expect(response.headers.get('x-ratelimit-limit-tokens')).toMatch(/^\d+$/);
      expect(response.headers.get('x-ratelimit-remaining-tokens')).toMatch(/^\d+$/);
      expect(response.headers.get('x-ratelimit-reset-tokens')).toMatch(DURATION);
    }
    const err = await client.chat.completions.create(ask()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.code).toBe('GH_ERR_RATE_REQUESTS');
    expect(Number(e.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(e.headers?.get('retry-after-ms'))).toBeGreaterThan(0);
    expect(e.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    // Another consumer has its own budget.
    const bob = t.client({ defaultHeaders: { 'x-test-consumer': 'bob' } });
    expect((await bob.chat.completions.create(ask())).choices.length).toBe(1);
    // Without an identity the consumer is 'anonymous', limited like anyone else.
    const anon = t.client();
    for (let i = 0; i < 3; i++) await anon.chat.completions.create(ask());
    await expect(anon.chat.completions.create(ask())).rejects.toMatchObject({ status: 429 });
  });

  it('each dimension refuses with its own code', async () => {
    const t = await start({
      inputTokens: rate(300),
      outputTokens: rate(100),
      cost: { softPerHour: 0.0001, hardPerHour: 0.00025 },
    });
    const c = t.client({ defaultHeaders: { 'x-test-consumer': 'carol' } });
    const long = 'word '.repeat(400);
    await expect(c.chat.completions.create(ask(long))).rejects.toMatchObject({
      code: 'GH_ERR_RATE_INPUT_TOKENS',
    });
    await expect(c.chat.completions.create({ ...ask(), max_tokens: 101 })).rejects.toMatchObject({
      code: 'GH_ERR_RATE_OUTPUT_TOKENS',
    });
    // Cost: ~8 input + 40 output tokens at $1/$4 per million is about $0.00017 reserved, about $0.00013
    // once settled (the upstream may see a few more input tokens): the second reservation breaks $0.00025.
    await c.chat.completions.create(ask('short'));
    await expect(c.chat.completions.create(ask('short'))).rejects.toMatchObject({ code: 'GH_ERR_COST_CAP' });
  });

  it('settles to the upstream usage, records the cost, and the soft cap raises one event', async () => {
    const t = await start({ cost: { softPerHour: 0.0001, hardPerHour: 1 } });
    const c = t.client({ defaultHeaders: { 'x-test-consumer': 'dave' } });
    const r1 = await c.chat.completions.create(ask());
    const rec = await record(t, 0);
    expect(rec.usage_source).toBe('upstream');
    const expected = (r1.usage!.prompt_tokens * 1 + r1.usage!.completion_tokens * 4) / 1e6;
    expect(rec.cost).toBeCloseTo(expected, 9);
    const { response } = await c.chat.completions.create({ ...ask(), max_tokens: 10 }).withResponse();
    // The unused part of the first reservation (40 − used) was released.
    expect(Number(response.headers.get('x-ratelimit-remaining-output-tokens'))).toBe(
      1_000 - r1.usage!.completion_tokens - 10,
    );
    await c.chat.completions.create(ask());
    const soft = t.logs.lines.filter((l) => l.type === 'limits.cost_soft_cap');
    expect(soft.length).toBe(1);
    expect(soft[0]).toMatchObject({ consumer: 'dave', severity: 'medium' });
  });

  it('a stream without upstream usage is settled from the tokens counted on it', async () => {
    const t = await start({}, { streamUsage: false });
    const c = t.client({ defaultHeaders: { 'x-test-consumer': 'erin' } });
    const stream = await c.chat.completions.create({ ...ask(), stream: true });
    let text = '';
    for await (const ch of stream) text += ch.choices[0]?.delta?.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    const rec = await record(t, 0);
    expect(rec.usage_source).toBe('counted');
    const counted = rec.output_tokens as number;
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeLessThan(40);
    const { response } = await c.chat.completions.create({ ...ask(), max_tokens: 10 }).withResponse();
    expect(Number(response.headers.get('x-ratelimit-remaining-output-tokens'))).toBe(1_000 - counted - 10);
  });

  it('an aborted stream settles what was sent and frees its concurrency slot', async () => {
    const t = await start({ concurrency: 1 }, { chunkDelayMs: 40, streamUsage: false });
    const c = t.client({ defaultHeaders: { 'x-test-consumer': 'frank' } });
    const stream = await c.chat.completions.create({ ...ask(), max_tokens: 200, stream: true });
    // While it runs, the consumer's only slot is taken.
    await expect(c.chat.completions.create(ask())).rejects.toMatchObject({ code: 'GH_ERR_CONCURRENCY' });
    let n = 0;
    for await (const ch of stream) {
      if (ch.choices[0]?.delta?.content) n++;
      if (n === 3) break; // leaving the loop aborts the request
    }
    await eventually(() => expect(t.logs.requests().some((l) => l.status === 499)).toBe(true), WAIT);
    const rec = t.logs.requests().find((l) => l.status === 499)!;
    const sent = rec.output_tokens as number;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(200);
    const { response } = await c.chat.completions.create({ ...ask(), max_tokens: 10 }).withResponse();
    // The two refusals/answers before: the 429 reserved nothing; the aborted one kept only what it sent.
    expect(Number(response.headers.get('x-ratelimit-remaining-output-tokens'))).toBe(1_000 - sent - 10);
  });

  it('aborting a non-streamed request while the model works keeps its prompt and output budget charged', async () => {
    const t = await start({}, { delayMs: 300 });
    const c = t.client({ defaultHeaders: { 'x-test-consumer': 'ivan' } });
    const ac = new AbortController();
    const pending = c.chat.completions
      .create({ ...ask(), max_tokens: 300 }, { signal: ac.signal })
      .catch((e: unknown) => e);
    await eventually(() => expect(t.upstream.received.length).toBe(1), WAIT);
    ac.abort();
    expect(await pending).toBeInstanceOf(OpenAI.APIUserAbortError);
    await eventually(() => expect(t.logs.requests().some((l) => l.status === 499)).toBe(true), WAIT);
    const { response } = await c.chat.completions.create({ ...ask(), max_tokens: 10 }).withResponse();
    expect(Number(response.headers.get('x-ratelimit-remaining-output-tokens'))).toBe(1_000 - 300 - 10);
  });

  it('upstream errors release the tokens they reserved, keeping the request', async () => {
    const t = await start(
      {},
      {
        intercept: (_req, _body, res) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"error":{"message":"boom"}}');
          return true;
        },
      },
    );
    const c = t.client({ defaultHeaders: { 'x-test-consumer': 'gina' } });
    await expect(c.chat.completions.create({ ...ask(), max_tokens: 500 })).rejects.toMatchObject({
      status: 502,
    });
    await record(t, 0);
    const err = (await c.chat.completions
      .create({ ...ask(), max_tokens: 500 })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    // The second 502 comes with headers computed at its admission: the first one's 500 tokens are back.
    expect(err.headers?.get('x-ratelimit-remaining-output-tokens')).toBe('500');
    expect(err.headers?.get('x-ratelimit-remaining-requests')).toBe('98');
  });

  it('80% of a quota raises one event per window', async () => {
    const t = await start({ requests: rate(5) });
    const c = t.client({ defaultHeaders: { 'x-test-consumer': 'hank' } });
    for (let i = 0; i < 5; i++) await c.chat.completions.create(ask());
    const ev = t.logs.lines.filter((l) => l.type === 'limits.quota_threshold');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ dimension: 'requests', window: 'm', used: 4, limit: 5, consumer: 'hank' });
  });

  it('limits.enabled: false removes the stages', async () => {
    tg = await startTestGateway({
      config: (url) => ({ routes: [demoRoute(url)], limits: { enabled: false } }),
    });
    const c = tg.client();
    const { response } = await c.chat.completions.create(ask()).withResponse();
    expect(response.headers.get('x-ratelimit-limit-requests')).toBeNull();
    await c.chat.completions.create(ask());
  });
});
