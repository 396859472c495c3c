import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRoute, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { canaryOf, chatStream, type Script, scripted } from './sse-upstream.js';

// A GitHub token shape (not a real token) and a Luhn-valid test card number.
const SECRET = ['ghp', '_', 'R8s2Kd93LmQp0vXz7TbNw4YcHe6JuA1oFg5i'].join('');
const CARD = '4111 1111 1111 1111';

let script: Script = () => ({ kind: 'stream', pieces: ['ok'] });
let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({
    upstream: { intercept: scripted((b) => script(b)) },
    // A budget above the longest scripted answer: these upstreams ignore max_tokens, and the output
    // budget (tested in test/integration/core/output-budget.test.ts) would cut them.
    config: (url) => ({
      routes: [demoRoute(url, { caps: { maxOutputTokens: 32_768 } })],
      limits: { enabled: false },
    }),
  });
});
afterAll(async () => {
  await t?.close();
});

const chars = (s: string) => [...s];
// No lone surrogate: String#isWellFormed is ES2024, the project targets ES2023.
const wellFormed = (s: string) =>
  !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

/** Streams a chat answer; returns the text received and the error that ended it, if any. */
async function streamText(body: Partial<OpenAI.ChatCompletionCreateParamsStreaming> = {}) {
  let text = '';
  const pieces: string[] = [];
  let error: unknown = null;
  try {
    const s = await t.client().chat.completions.create({
      model: 'demo',
      stream: true,
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'hi' },
      ],
      ...body,
    });
    for await (const c of s) {
      const d = c.choices[0]?.delta?.content ?? '';
      if (d !== '') pieces.push(d);
      text += d;
    }
  } catch (err) {
    error = err;
  }
  return { text, pieces, error };
}

describe('output guard on streams', () => {
  it('a secret split into single characters never reaches the client: the stream ends with an error', async () => {
    const lead = 'Here you go, the token you asked about is below, as requested: ';
    const events = chatStream(chars(`${lead}${SECRET} and more text after it.`)).split(/(?<=\n\n)/);
    // One event per write, so the clean lead is released (headers sent) before the token arrives.
    script = () => ({ kind: 'raw', chunks: events, delayMs: 1 });
    const r = await streamText();
    expect(r.error).toBeInstanceOf(OpenAI.APIError);
    expect((r.error as InstanceType<typeof OpenAI.APIError>).code).toBe('GH_ERR_OUTPUT_BLOCKED');
    expect(r.text).not.toContain(SECRET.slice(0, 6));
    expect(r.text.length).toBeGreaterThan(0);
    expect(lead.startsWith(r.text)).toBe(true);
    // Whole at once: refused (usually before any byte of the answer: a 422).
    script = () => ({ kind: 'stream', pieces: chars(`${lead}${SECRET}`) });
    const r2 = await streamText();
    expect((r2.error as InstanceType<typeof OpenAI.APIError>).code).toBe('GH_ERR_OUTPUT_BLOCKED');
    expect(r2.text).not.toContain(SECRET.slice(0, 6));
  });

  it('a card number split into single characters is redacted', async () => {
    script = () => ({ kind: 'stream', pieces: chars(`Your card ${CARD} is on file.`) });
    const r = await streamText();
    expect(r.error).toBeNull();
    expect(r.text).toBe('Your card [REDACTED_CREDIT_CARD] is on file.');
    expect(r.pieces.join('')).not.toMatch(/4111/);
  });

  it('the canary, split into single characters (and spaced out), never reaches the client', async () => {
    for (const dress of [(c: string) => c, (c: string) => [...c.slice(4)].join(' ')]) {
      script = (b) => ({
        kind: 'stream',
        pieces: chars(`My instructions say ${dress(canaryOf(b))} is secret.`),
      });
      const r = await streamText();
      expect((r.error as InstanceType<typeof OpenAI.APIError>).code).toBe('GH_ERR_OUTPUT_LEAK');
      expect(r.text.replace(/\s/g, '')).not.toMatch(/[0-9a-f]{6}/);
    }
  });

  it('surrogate pairs and multi-byte UTF-8 split across chunks come out intact', async () => {
    const text = 'Grüße 😀 日本語 🇫🇷 done — ok';
    // Byte-level: the SSE bytes written one at a time, cutting every multi-byte sequence.
    const bytes = Buffer.from(chatStream(chars(text)));
    script = () => ({ kind: 'raw', chunks: [...bytes].map((b) => Buffer.from([b])) });
    const r = await streamText();
    expect(r.error).toBeNull();
    expect(r.text).toBe(text);
    for (const p of r.pieces) expect(wellFormed(p)).toBe(true);
    // JSON-level: a surrogate pair cut between two events (each a lone escaped surrogate).
    const units = Array.from({ length: text.length }, (_, i) => text[i]!);
    script = () => ({ kind: 'raw', chunks: [chatStream(units)] });
    const r2 = await streamText();
    expect(r2.text).toBe(text);
    for (const p of r2.pieces) expect(wellFormed(p)).toBe(true);
  });

  it('malformed SSE from the upstream ends the stream with a clean terminal error, not a hang', async () => {
    const good = chatStream(chars('Hello there, this is fine. ')).split('data: [DONE]')[0]!;
    const cases: Array<Array<string | Buffer>> = [
      [
        good.split('\n\n').slice(0, 10).join('\n\n') + '\n\n',
        'data: {"choices": [ {"index": 0, "delta": \n\n',
      ],
      [good.slice(0, 300), Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0x0a])],
      [good.split('\n\n').slice(0, 8).join('\n\n') + '\n\n'],
    ];
    for (const chunks of cases) {
      script = () => ({ kind: 'raw', chunks });
      const r = await streamText();
      expect(r.error).toBeInstanceOf(OpenAI.APIError);
      expect((r.error as InstanceType<typeof OpenAI.APIError>).code).toMatch(
        /^GH_ERR_UPSTREAM_(BAD_RESPONSE|RESET)$/,
      );
    }
  });

  it('a long clean stream passes through intact and in order', async () => {
    const words = Array.from({ length: 3000 }, (_, i) => `word${i} `);
    script = () => ({ kind: 'stream', pieces: words });
    const r = await streamText();
    expect(r.error).toBeNull();
    expect(r.text).toBe(words.join(''));
  });

  it('records output verdicts on the audit event without the matched text', async () => {
    script = () => ({ kind: 'stream', pieces: chars(`Card ${CARD}.`) });
    await streamText();
    const raw = t.logs.raw.join('\n');
    expect(raw).not.toContain('4111 1111');
  });
});
