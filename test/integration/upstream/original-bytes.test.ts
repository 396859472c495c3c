import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeProvider,
  fixtureJson,
  type Recorded,
  sendJson,
  startFakeProvider,
} from '../../helpers/fake-provider.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';

/**
 * Issue 13: the upstream gets the request's own bytes when no stage changed the body, and a
 * re-serialised body (changed fields from their new values) when one did — never a field the guard
 * did not inspect. A fake provider records the exact bytes it received.
 */
let up: FakeProvider;
let t: TestGateway;

const route = (alias: string, model: string, url: string) => ({
  alias,
  endpoints: ['chat' as const],
  caps: { maxOutputTokens: 256 },
  upstream: { provider: 'openai' as const, url: `${url}/v1`, model, zone2Colocated: true },
});

beforeAll(async () => {
  up = await startFakeProvider((_r, res) => sendJson(res, 200, fixtureJson('openai/chat.json')));
  t = await startTestGateway({
    config: () => ({
      routes: [route('same-2026', 'same-2026', up.url), route('pinned', 'pinned-model-2026-01-01', up.url)],
      // The canary changes the system prompt of every request: off here, covered below by its own case.
      outputGuard: { enabled: false },
      limits: { enabled: false },
    }),
  });
});
afterAll(async () => {
  await t?.close();
  await up?.close();
});

/** Posts `text` as is and returns what the upstream received for it (null: never reached). */
async function send(text: string): Promise<{ status: number; got: Recorded | null }> {
  const before = up.requests.length;
  const res = await fetch(`${t.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...t.authHeaders },
    body: text,
  });
  await res.arrayBuffer();
  return { status: res.status, got: up.requests.length > before ? (up.requests.at(-1) ?? null) : null };
}

// Blanks, escapes and key order a serialiser would not reproduce: only the original text has them.
const MESSAGES = `[ {"role":"system" , "content":"Be brief.\\u0020Say \\"why\\"."},
   {"role":"user","content":"Caf\u00e9 \\ud83d\\ude00 \\/ opening hours?"} ]`;

describe('original request bytes to the upstream (issue 13)', () => {
  it('forwards the body byte for byte when no stage changed it', async () => {
    const text = `{ "messages": ${MESSAGES},\n  "model" : "same-2026", "max_tokens": 16 }`;
    const { status, got } = await send(text);
    expect(status).toBe(200);
    expect(got?.raw).toBe(text);
  });

  it('pins the model and adds the output cap, keeping the conversation as received', async () => {
    const text = `{"model":"pinned","messages":${MESSAGES}}`;
    const { status, got } = await send(text);
    expect(status).toBe(200);
    expect(got?.json).toEqual({
      model: 'pinned-model-2026-01-01',
      messages: JSON.parse(MESSAGES),
      max_tokens: 256,
    });
    expect(got?.raw).toContain(`"messages":${MESSAGES}`);
    expect(got?.raw).not.toContain('"pinned"');
  });

  it('clamps an output budget over the cap (a changed number is written from its new value)', async () => {
    const { got } = await send(`{"model":"same-2026","max_tokens":100000,"messages":${MESSAGES}}`);
    expect(got?.json?.max_tokens).toBe(256);
    expect(got?.raw).not.toContain('100000');
  });

  it('re-serialises a message the input guard redacted: the address never reaches the upstream', async () => {
    const email = 'ana.silva@example.org';
    const { status, got } = await send(
      `{"model":"same-2026","messages":[{"role":"user","content":"Write to ${email} today"}]}`,
    );
    expect(status).toBe(200);
    expect(got?.raw).not.toContain(email);
    expect(got?.json?.messages).toEqual([{ role: 'user', content: 'Write to [EMAIL_1] today' }]);
  });

  it('strips invisible characters the guard removed (the copy, not the received text, is sent)', async () => {
    const { got } = await send(
      '{"model":"same-2026","messages":[{"role":"user","content":"hel\\u200blo there"}]}',
    );
    expect(got?.json?.messages).toEqual([{ role: 'user', content: 'hello there' }]);
    expect(got?.raw).not.toContain('200b');
  });

  it('never forwards the text of a repeated key: the upstream gets the one value that was inspected', async () => {
    const email = 'ana.silva@example.org';
    const text = `{"model":"same-2026","messages":[{"role":"user","content":"${email}","content":"hello there"}]}`;
    const { status, got } = await send(text);
    expect(status).toBe(200);
    expect(got?.raw).not.toContain(email);
    expect(got?.raw.match(/"content"/g)).toHaveLength(1);
    expect(got?.json?.messages).toEqual([{ role: 'user', content: 'hello there' }]);
  });

  it('writes fields holding numbers from the validated value', async () => {
    const { got } = await send(
      `{"model":"same-2026","max_tokens":16,"temperature":0.50000000000000001,"messages":${MESSAGES}}`,
    );
    expect(got?.raw).toContain('"temperature":0.5');
    expect(got?.raw).not.toContain('0.50000000000000001');
    expect(got?.raw).toContain(`"messages":${MESSAGES}`);
  });
});

describe('original request bytes with the output guard on', () => {
  let t2: TestGateway;
  beforeAll(async () => {
    t2 = await startTestGateway({
      config: () => ({ routes: [route('same-2026', 'same-2026', up.url)], limits: { enabled: false } }),
    });
  });
  afterAll(async () => t2?.close());

  it('sends the canary in the system message (the consumer text otherwise as received)', async () => {
    const before = up.requests.length;
    const res = await fetch(`${t2.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...t2.authHeaders },
      body: `{"model":"same-2026","max_tokens":16,"messages":${MESSAGES}}`,
    });
    await res.arrayBuffer();
    expect(up.requests.length).toBe(before + 1);
    const sent = up.requests.at(-1)?.json?.messages as Array<{ role: string; content: string }>;
    expect(sent[0]?.content).toMatch(/GHC\.[0-9a-f]{4}/);
    expect(sent[0]?.content).toContain('Be brief. Say "why".');
    expect(sent[1]).toEqual(JSON.parse(MESSAGES)[1]);
  });
});
