import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRequestBody } from '../../../src/edge/validate/json.js';
import { type RawBody, rawBodyOf, scanObjectText, serialiseBody } from '../../../src/formats/json-splice.js';

/** What the parse stage does: parse (nested values frozen), then note what may be reused. */
function received(text: string): { body: Record<string, unknown>; raw: RawBody | null } {
  const buf = Buffer.from(text, 'utf8');
  const p = parseRequestBody(buf, 64);
  return { body: p.body, raw: rawBodyOf(buf, p.text, p.body, p.keys) };
}

const CHAT = `{ "model" : "bench",
  "messages": [ {"role":"system","content":"Be brief.\\u0020Say \\"why\\"."},
                {"role" : "user", "content": "caf\u00e9 \\ud83d\\ude00 \\/ ok"} ],
  "stream": false, "user": "u\\u0031" }`;

describe('scanObjectText', () => {
  it('finds each top-level value and counts keys at every depth', () => {
    const s = scanObjectText(CHAT);
    expect(s?.spans.map((x) => x.key)).toEqual(['model', 'messages', 'stream', 'user']);
    expect(s?.keys).toBe(8);
    for (const x of s?.spans ?? [])
      expect(JSON.parse(CHAT.slice(x.start, x.end))).toEqual(JSON.parse(CHAT)[x.key]);
    expect(s?.spans.map((x) => x.numbers)).toEqual([false, false, false, false]);
    const n = scanObjectText('{"a":{"b":[1]},"c":"2","d":-0.5e3,"e\\"f":{"g:":"h,}"}}');
    expect(n?.spans.map((x) => [x.key, x.numbers])).toEqual([
      ['a', true],
      ['c', false],
      ['d', true],
      ['e"f', false],
    ]);
    expect(n?.keys).toBe(6);
  });
});

describe('serialiseBody: original bytes when unchanged, spliced when changed', () => {
  it('returns the text as received, byte for byte, when no field changed', () => {
    const { body, raw } = received(CHAT);
    expect(raw).not.toBeNull();
    const out = serialiseBody(raw ?? undefined, body);
    expect(out).toBe(CHAT);
    expect(Buffer.from(out, 'utf8').equals(Buffer.from(CHAT, 'utf8'))).toBe(true);
  });
  it('re-serialises a changed field and keeps the others as received (pinned model)', () => {
    const { body, raw } = received(CHAT);
    body.model = 'pinned-model-2026';
    const out = serialiseBody(raw ?? undefined, body);
    expect(JSON.parse(out)).toEqual({ ...JSON.parse(CHAT), model: 'pinned-model-2026' });
    expect(out).toContain('"model":"pinned-model-2026"');
    // The conversation is the received text itself (its blanks and escapes are still there).
    expect(out).toContain('{"role" : "user", "content": "caf\u00e9 \\ud83d\\ude00 \\/ ok"}');
    expect(out).not.toContain('bench');
  });
  it('writes a field that a stage replaced (redaction, canary) from its new value', () => {
    const { body, raw } = received(CHAT);
    const messages = body.messages as Array<Record<string, unknown>>;
    body.messages = [messages[0], { ...messages[1], content: '[EMAIL_1]' }];
    const out = serialiseBody(raw ?? undefined, body);
    expect(JSON.parse(out).messages[1].content).toBe('[EMAIL_1]');
    expect(out).not.toContain('caf\u00e9');
  });
  it('freezes nested values, so that an in-place change throws instead of being forwarded unseen', () => {
    const { body } = received(CHAT);
    const messages = body.messages as Array<Record<string, unknown>>;
    expect(() => {
      (messages[1] as Record<string, unknown>).content = 'changed';
    }).toThrow(TypeError);
    expect(() => messages.push({})).toThrow(TypeError);
    // The top level stays writable: stages pin the model and clamp the output budget there.
    body.max_tokens = 5;
    expect(body.max_tokens).toBe(5);
  });
  it('adds, drops and reorders fields as JSON.stringify would', () => {
    const { body, raw } = received(CHAT);
    body.max_tokens = 64;
    body.stream_options = undefined;
    delete body.user;
    const out = serialiseBody(raw ?? undefined, body);
    expect(out).toBe(out.trim());
    expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(body)));
    expect(Object.keys(JSON.parse(out))).toEqual(Object.keys(JSON.parse(JSON.stringify(body))));
  });
  it('never reuses text of a body with a repeated key, at any depth', () => {
    for (const text of [
      '{"model":"m","messages":[{"role":"user","content":"hi","content":"evil"}]}',
      '{"model":"m","model":"n","messages":[]}',
      '{"model":"m","messages":[{"role":"user","cont\\u0065nt":"a","content":"b"}]}',
    ]) {
      const { body, raw } = received(text);
      expect(raw).toBeNull();
      expect(serialiseBody(raw ?? undefined, body)).toBe(JSON.stringify(body));
    }
  });
  it('writes fields holding numbers from the parsed value (what the validator saw)', () => {
    const text = '{"model":"m","seed":9007199254740993,"tools":[{"x":1.00000000000000001}],"user":"a"}';
    const { body, raw } = received(text);
    const out = serialiseBody(raw ?? undefined, body);
    // The same value, unchanged, still comes from the parse: the upstream gets what was checked.
    expect(out).toBe(JSON.stringify(body));
    expect(out).not.toContain('9007199254740993');
  });
  it('reuses a top-level number written as its value serialises, not one written otherwise', () => {
    const text = '{"model":"m","max_tokens":16,"temperature":0.7,"top_p":1e0,"messages":[]}';
    const { body, raw } = received(text);
    expect([...(raw?.fields.keys() ?? [])]).toEqual(['model', 'max_tokens', 'temperature', 'messages']);
    expect(serialiseBody(raw ?? undefined, body)).toBe(text.replace('1e0', '1'));
    delete body.top_p;
    expect(serialiseBody(raw ?? undefined, body)).toBe(
      '{"model":"m","max_tokens":16,"temperature":0.7,"messages":[]}',
    );
  });
  it('without the received text: JSON.stringify', () => {
    expect(serialiseBody(undefined, { a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
  });
  it('always parses back to the current body (any JSON object, any top-level change)', () => {
    const value = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 6 }), value, { maxKeys: 6 }),
        fc.array(fc.tuple(fc.nat(8), fc.oneof(value, fc.constant(undefined))), { maxLength: 3 }),
        (obj, edits) => {
          const text = JSON.stringify(obj, null, edits.length % 2 === 0 ? 1 : 0);
          // Keys the parse refuses (prototype pollution) are another test's subject.
          fc.pre(!/"(?:__proto__|constructor|prototype)"/.test(text));
          const { body, raw } = received(text);
          const keys = Object.keys(body);
          const scan = scanObjectText(text);
          // Numbers are written from the parse; integer-like keys come first in a parsed object.
          const spans = scan?.spans ?? [];
          const asReceived =
            scan !== null &&
            spans.every((x) => !x.numbers) &&
            spans.map((x) => x.key).join('\u0000') === keys.join('\u0000');
          for (const [i, v] of edits) {
            const k = keys[i] ?? `new${i}`;
            if (v === undefined) delete body[k];
            else body[k] = v;
          }
          const out = serialiseBody(raw ?? undefined, body);
          expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(body)));
          if (edits.length === 0 && asReceived) expect(out).toBe(text);
        },
      ),
      { numRuns: 400 },
    );
  });
});
