import type OpenAI from 'openai';
import { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokenCounter } from '../../../src/upstream/tokenizer.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { type HostileUpstream, startHostileUpstream } from '../../helpers/hostile-upstream.js';

/**
 * Output budgets through a real gateway, the official client and an upstream that ignores them
 * (finding 10.2 and 11.4): a stream or an answer is held to the clamped `max_tokens` per choice
 * and to `upstream.maxResponseBytes`, whether or not the upstream sends usage.
 */
let hostile: HostileUpstream;
let t: TestGateway;
let count: (text: string) => number;
const MB = 1_048_576;

beforeAll(async () => {
  count = await loadTokenCounter('o200k_base');
  hostile = await startHostileUpstream({ kind: 'endless', totalBytes: 24 * MB });
  t = await startTestGateway({
    config: () => ({
      routes: [
        demoRoute(hostile.url, { caps: { maxN: 4 } }),
        {
          ...demoRoute(hostile.url, {
            upstream: {
              provider: 'openai',
              url: hostile.url,
              model: 'm-2026-01-01',
              maxResponseBytes: 256 * 1024,
            },
          }),
          alias: 'small',
        },
      ],
    }),
  });
});
afterAll(async () => {
  await t?.close();
  await hostile?.close();
});

type Chunk = OpenAI.ChatCompletionChunk;

async function readChat(
  params: Record<string, unknown>,
): Promise<{ chunks: Chunk[]; text: string[]; finish: Array<string | null>; error: unknown }> {
  const chunks: Chunk[] = [];
  const text: string[] = [];
  const finish: Array<string | null> = [];
  let error: unknown = null;
  try {
    const s = (await t.client().chat.completions.create({
      model: 'demo',
      stream: true,
      messages: [{ role: 'user', content: 'talk' }],
      ...params,
    } as never)) as unknown as AsyncIterable<Chunk>;
    for await (const c of s) {
      chunks.push(c);
      for (const ch of c.choices) {
        text[ch.index] = (text[ch.index] ?? '') + (ch.delta?.content ?? '');
        if (ch.finish_reason != null) finish[ch.index] = ch.finish_reason;
      }
    }
  } catch (e) {
    error = e;
  }
  return { chunks, text, finish, error };
}

const lastRequestLine = () => t.logs.requests().at(-1) as Record<string, unknown>;

describe('output budget on streams', () => {
  it('a 24 MB stream without usage ends at max_tokens with finish_reason length; the upstream is aborted', async () => {
    hostile.mode = { kind: 'endless', totalBytes: 24 * MB };
    const before = t.logs.requests().length;
    const r = await readChat({ max_tokens: 100, stream_options: { include_usage: true } });
    expect(r.error).toBeNull();
    // About 100 tokens reached the client, not 24 MB.
    expect(count(r.text[0] ?? '')).toBe(100);
    expect(r.finish).toEqual(['length']);
    // The gateway's own usage chunk (the upstream's never came).
    expect(r.chunks.at(-1)?.usage?.completion_tokens).toBe(100);
    const up = hostile.last();
    await up.closed;
    expect(up.aborted).toBe(true);
    expect(up.bytesWritten).toBeLessThan(24 * MB);
    await eventually(() => expect(t.logs.requests().length).toBe(before + 1));
    const line = lastRequestLine();
    expect(line.usage_source).toBe('counted');
    expect(line.output_tokens).toBe(100);
    expect(line.status).toBe(200);
    // The replica still answers.
    const health = await fetch(`${t.gw.healthUrl}/health`);
    expect(health.status).toBe(200);
    hostile.mode = { kind: 'ignores-max', tokens: 10 };
    const next = await readChat({ max_tokens: 50 });
    expect(next.error).toBeNull();
    expect(next.finish).toEqual(['stop']);
    expect((next.text[0] ?? '').trim().split(' ')).toHaveLength(10);
  });

  it('a long single delta is cut inside it, at the budget', async () => {
    hostile.mode = { kind: 'endless', totalBytes: 4 * MB, wordsPerDelta: 5_000 };
    const r = await readChat({ max_tokens: 37 });
    expect(r.error).toBeNull();
    expect(count(r.text[0] ?? '')).toBe(37);
    expect(r.finish).toEqual(['length']);
    await hostile.last().closed;
    expect(hostile.last().aborted).toBe(true);
  });

  it('an upstream that ignores max_tokens and sends usage late: cut at the clamp, counted', async () => {
    hostile.mode = { kind: 'ignores-max', tokens: 400 };
    const r = await readChat({ max_tokens: 20 });
    expect(r.error).toBeNull();
    expect(count(r.text[0] ?? '')).toBe(20);
    expect(r.finish).toEqual(['length']);
    await eventually(() => {
      const line = lastRequestLine();
      expect(line.output_tokens).toBe(20);
      expect(line.usage_source).toBe('counted');
    });
  });

  it('n = 2: each choice has its own budget and its own finish_reason length', async () => {
    hostile.mode = { kind: 'endless', totalBytes: 24 * MB };
    const r = await readChat({ max_tokens: 30, n: 2 });
    expect(r.error).toBeNull();
    expect(r.text.map((s) => count(s))).toEqual([30, 30]);
    expect(r.finish).toEqual(['length', 'length']);
    await hostile.last().closed;
    expect(hostile.last().aborted).toBe(true);
    await eventually(() => expect(lastRequestLine().output_tokens).toBe(60));
  });

  it('completions streams are held to the budget too', async () => {
    hostile.mode = { kind: 'endless', totalBytes: 24 * MB };
    const s = await t.client().completions.create({
      model: 'demo',
      prompt: 'Write a long story about the sea.',
      max_tokens: 25,
      stream: true,
    });
    let text = '';
    let finish: string | null = null;
    for await (const c of s) {
      text += c.choices[0]?.text ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect(count(text)).toBe(25);
    expect(finish).toBe('length');
    await hostile.last().closed;
    expect(hostile.last().aborted).toBe(true);
  });

  it('a stream of empty deltas ends at upstream.maxResponseBytes with a terminal error event', async () => {
    hostile.mode = { kind: 'empty-deltas', totalBytes: 24 * MB };
    const s = (await t.client().chat.completions.create({
      model: 'small',
      stream: true,
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
    })) as unknown as AsyncIterable<Chunk>;
    let error: unknown = null;
    try {
      for await (const _ of s) {
        // drain
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(APIError);
    expect(JSON.stringify((error as APIError).error)).toContain('GH_ERR_UPSTREAM_RESPONSE_TOO_LARGE');
    await hostile.last().closed;
    expect(hostile.last().aborted).toBe(true);
    expect(hostile.last().bytesWritten).toBeLessThan(24 * MB);
  });
});

describe('the end of a stream', () => {
  it('an upstream that keeps sending after its [DONE] is cut off, not drained', async () => {
    hostile.mode = { kind: 'after-done', totalBytes: 24 * MB };
    const before = t.logs.requests().length;
    const r = await readChat({ max_tokens: 50 });
    expect(r.error).toBeNull();
    expect(r.finish).toEqual(['stop']);
    await hostile.last().closed;
    expect(hostile.last().aborted).toBe(true);
    expect(hostile.last().bytesWritten).toBeLessThan(24 * MB);
    await eventually(() => expect(t.logs.requests().length).toBe(before + 1));
    expect(lastRequestLine().status).toBe(200);
  });
});

describe('output budget on whole answers', () => {
  it('an answer far over max_tokens is cut to it, finish_reason length, usage charged as reported', async () => {
    hostile.mode = { kind: 'huge-json', words: 5_000, usage: true };
    const a = await t.client().chat.completions.create({
      model: 'demo',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(count(a.choices[0]?.message.content ?? '')).toBe(50);
    expect(a.choices[0]?.finish_reason).toBe('length');
    await eventually(() => {
      const line = lastRequestLine();
      expect(line.usage_source).toBe('upstream');
      expect(line.output_tokens).toBe(5_000);
    });
  });

  it('without usage, what was kept is counted; completions with n = 2 are cut per choice', async () => {
    hostile.mode = { kind: 'huge-json', words: 5_000, usage: false };
    const a = await t.client().completions.create({ model: 'demo', prompt: 'x', max_tokens: 40, n: 2 });
    expect(a.choices.map((c) => count(c.text))).toEqual([40, 40]);
    expect(a.choices.map((c) => c.finish_reason)).toEqual(['length', 'length']);
    await eventually(() => {
      const line = lastRequestLine();
      expect(line.usage_source).toBe('counted');
      expect(line.output_tokens).toBe(80);
    });
  });
});
