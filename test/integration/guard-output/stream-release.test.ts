/**
 * Issue 13: with the output guard on, streamed text that no detector can still extend reaches the
 * client before the upstream sends the next token. The upstream here is in lockstep with the
 * client: after each token it waits until the client (the official `openai` client, through the
 * real gateway) holds the text that token should have released, and only then sends the next one.
 * A gateway that holds that text until the next token arrives never lets the upstream go on: the
 * step is recorded as stalled (after a liveness bound, so the test fails instead of hanging), and
 * the assertion is on the order of events, never on how long anything took.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRoute, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { sseEvent } from './sse-upstream.js';

/** One upstream token and the text the client must hold before the upstream sends the next one. */
interface Step {
  readonly token: string;
  readonly released: string;
}

/** Only keeps a stalled upstream from hanging the run: no assertion depends on it. */
const LIVENESS_MS = 10_000;

const base = { id: 'chatcmpl-lockstep', object: 'chat.completion.chunk', created: 1, model: 'm' };
const delta = (d: Record<string, unknown>, finish: string | null = null) =>
  sseEvent({ ...base, choices: [{ index: 0, delta: d, finish_reason: finish }] });

let steps: readonly Step[] = [];
/** The client's text so far, and who waits for it to reach a given value. */
let received = '';
let waiters: Array<{ text: string; done: () => void }> = [];
/** Per step: whether the client had that step's text before the upstream went on. */
let reached: boolean[] = [];

function clientGot(piece: string): void {
  received += piece;
  for (const w of waiters) if (received.startsWith(w.text)) w.done();
  waiters = waiters.filter((w) => !received.startsWith(w.text));
}

/** Resolves true once the client holds `text`, false if it never does (the gateway holds it). */
function untilClientHas(text: string): Promise<boolean> {
  if (received.startsWith(text)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), LIVENESS_MS);
    waiters.push({
      text,
      done: () => {
        clearTimeout(timer);
        resolve(true);
      },
    });
  });
}

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({
    upstream: {
      intercept: async (_req, _body, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(delta({ role: 'assistant', content: '' }));
        for (const s of steps) {
          res.write(delta({ content: s.token }));
          reached.push(await untilClientHas(s.released));
          if (res.destroyed) return true;
        }
        res.write(delta({}, 'stop'));
        res.end('data: [DONE]\n\n');
        return true;
      },
    },
    // The output guard with its defaults (on unless configured off): PII, secrets, canary, similarity.
    config: (url) => ({ routes: [demoRoute(url)], limits: { enabled: false } }),
  });
});
afterAll(async () => {
  await t?.close();
});

async function lockstep(script: readonly Step[]): Promise<{ pieces: string[]; text: string }> {
  steps = script;
  received = '';
  waiters = [];
  reached = [];
  const pieces: string[] = [];
  const s = await t.client().chat.completions.create({
    model: 'demo',
    stream: true,
    messages: [{ role: 'user', content: 'hi' }],
  });
  for await (const c of s) {
    const d = c.choices[0]?.delta?.content ?? '';
    if (d === '') continue;
    pieces.push(d);
    clientGot(d);
  }
  return { pieces, text: received };
}

describe('streamed text is released before the next token when nothing can extend it', () => {
  it('a first token that ends a word ("Hello, ") reaches the client before the upstream sends another', async () => {
    const r = await lockstep([
      { token: 'Hello, ', released: 'Hello, ' },
      { token: 'world!', released: 'Hello, world!' },
    ]);
    expect(reached).toEqual([true, true]);
    expect(r.pieces).toEqual(['Hello, ', 'world!']);
  });

  it('tokens closed by a comma (digits too), a blank, or the next token’s blank: each released in time, one event each', async () => {
    const r = await lockstep([
      // An open word: it may still grow into "word0@example.com", so nothing is expected yet.
      { token: 'word0', released: '' },
      // The next token starts with a blank: the previous word is complete.
      { token: ' word1', released: 'word0' },
      { token: ' word2', released: 'word0 word1' },
      // Closed by a comma: released with the token itself (the bench mock's shape, digits included).
      { token: ' word3,', released: 'word0 word1 word2 word3,' },
      { token: ' GPT4', released: 'word0 word1 word2 word3,' },
      // Ends with a blank: complete.
      { token: ' is ', released: 'word0 word1 word2 word3, GPT4 is ' },
      { token: 'ready.', released: 'word0 word1 word2 word3, GPT4 is ' },
    ]);
    expect(reached).toEqual(Array(7).fill(true));
    expect(r.text).toBe('word0 word1 word2 word3, GPT4 is ready.');
    // The upstream's own chunking: a leading blank is never sent apart from its word.
    expect(r.pieces).toEqual(['word0', ' word1', ' word2', ' word3,', ' GPT4', ' is ', 'ready.']);
  });

  it('what a pattern may still extend is not released early: an e-mail split over tokens is redacted whole', async () => {
    const r = await lockstep([
      { token: 'Mail', released: '' },
      { token: ' bob', released: 'Mail' },
      // "bob" is held (it may be, and is, the start of an address), so nothing new is expected.
      { token: '@example', released: 'Mail' },
      // A run with "@" and "." is not a closed word: held until the next token's blank ends it.
      { token: '.org,', released: 'Mail' },
      { token: ' thanks!', released: 'Mail [REDACTED_EMAIL], thanks!' },
    ]);
    expect(reached).toEqual(Array(5).fill(true));
    expect(r.text).toBe('Mail [REDACTED_EMAIL], thanks!');
    expect(r.text).not.toContain('bob');
  });
});
