import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../../../src/errors/gatehouse-error.js';
import type { RequestContext } from '../../../src/pipeline/context.js';
import { createEventFactory } from '../../../src/telemetry/audit/build.js';
import { lineHead } from '../../../src/telemetry/audit/line.js';

// Graphemes, and raw code units (lone surrogates, control characters, quotes, backslashes).
const awkward = fc
  .array(
    fc.oneof(
      fc.constantFrom('\ud800', '\udfff', '"', '\\', '\n', '\u0001', '\u2028'),
      fc.string({ maxLength: 3 }),
    ),
    {
      maxLength: 8,
    },
  )
  .map((parts) => parts.join(''));
const text = fc.oneof(
  fc.string({ maxLength: 40, unit: 'grapheme' }),
  fc.string({ maxLength: 40, unit: 'binary' }),
  awkward,
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });

const context = fc.record({
  hasIdentity: fc.boolean(),
  consumer: text,
  agent: maybe(text),
  session: maybe(text),
  hasRoute: fc.boolean(),
  alias: maybe(fc.string({ maxLength: 200 })),
  endpoint: fc.constantFrom('chat', 'completions', 'embeddings', 'models'),
  status: fc.constantFrom(200, 201, 400, 401, 429, 499, 502, 504),
  error: fc.option(fc.constantFrom('GH_ERR_AUTH_INVALID', 'GH_ERR_UPSTREAM_ERROR', 'GH_ERR_RATE_REQUESTS'), {
    nil: null,
  }),
  ua: fc.string({ maxLength: 700 }),
  ip: fc.constantFrom('127.0.0.1', '::1', '', '2001:db8::7'),
  url: fc.constantFrom('/v1/chat/completions', '/v1/completions?x=1', '/v1/models'),
  parent: maybe(fc.constant('00f067aa0ba902b7')),
  stream: fc.boolean(),
  maxOut: fc.nat(5000),
  usage: fc.option(fc.record({ inputTokens: fc.nat(), outputTokens: fc.nat() }), { nil: null }),
  respModel: maybe(text),
  respId: maybe(fc.string({ maxLength: 200 })),
  ttft: maybe(fc.double({ min: 0, max: 1e5, noNaN: true })),
  cost: fc.oneof(fc.double({ min: 0, max: 10, noNaN: true }), fc.constant(Number.NaN)),
  latency: fc.double({ min: 0, max: 1e6, noNaN: true }),
  verdicts: fc.array(
    fc.record({
      phase: fc.constantFrom('input', 'output'),
      detector: text,
      type: text,
      action: fc.constantFrom('allow', 'flag', 'redact', 'block'),
      score: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    { maxLength: 3 },
  ),
  flags: fc.array(text, { maxLength: 3 }),
  aborted: fc.boolean(),
  prompt: text,
  answer: text,
  streamed: text,
  startedAt: fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }),
});

type Gen = typeof context extends fc.Arbitrary<infer T> ? T : never;

function toCtx(g: Gen): RequestContext {
  return {
    requestId: 'req_0123',
    trace: {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '6e0c63257de34c92',
      parentSpanId: g.parent,
      flags: '01',
    },
    req: { method: 'POST', url: g.url, headers: {} },
    start: 0,
    startedAt: g.startedAt,
    endpoint: g.endpoint,
    sourceIp: g.ip,
    userAgent: g.ua,
    identity: g.hasIdentity
      ? {
          consumer: g.consumer,
          agent: g.agent,
          session: g.session,
          tier: 2,
          method: 'jwt',
          scopes: [],
          aliases: '*',
          plan: null,
          sourceIp: g.ip,
          userAgent: g.ua,
        }
      : null,
    route: g.hasRoute
      ? {
          alias: 'assistant',
          tier: 3,
          config: { upstream: { model: 'llama-2024-07-23' } },
          provider: { kind: 'vllm' },
        }
      : null,
    alias: g.alias,
    body: { messages: [{ role: 'user', content: g.prompt }] },
    stream: g.stream,
    inputTokens: 7,
    maxOutputTokens: g.maxOut,
    upstream: {
      status: 200,
      json: g.stream
        ? null
        : { model: g.respModel, id: g.respId, choices: [{ message: { content: g.answer } }] },
      stream: null,
    },
    usage: g.usage,
    usageSource: 'counted',
    streamedText: g.streamed,
    ttftMs: g.ttft,
    status: g.status,
    error: g.error === null ? null : new GatehouseError(g.error as 'GH_ERR_AUTH_INVALID'),
    verdicts: g.verdicts,
    flags: g.flags,
    cost: g.cost,
    clientAborted: g.aborted,
  } as unknown as RequestContext;
}

const strip = (o: Record<string, unknown>) => {
  const e = o.event as Record<string, unknown>;
  return { ...o, event: { ...e, id: 'ID' } };
};

describe('request line writer', () => {
  it.each([false, true])('writes exactly the event the builder makes (includeText %s)', (includeText) => {
    const f = createEventFactory({
      version: '1.2.3',
      environment: 'test',
      node: 'gh-1',
      includeText,
      maxTextChars: 25,
      redact: (t) => t.replaceAll('a', '*'),
    });
    fc.assert(
      fc.property(context, (g) => {
        const ctx = toCtx(g);
        const line = f.requestLine(ctx, g.latency);
        expect(line).not.toContain('\n');
        // Well-formed UTF-16 (lone surrogates escaped), so the UTF-8 bytes sinks send say the same.
        expect(Buffer.from(line, 'utf8').toString('utf8')).toBe(line);
        const parsed = JSON.parse(line) as Record<string, unknown>;
        const built = JSON.parse(JSON.stringify(f.request(ctx, g.latency))) as Record<string, unknown>;
        expect(strip(parsed)).toEqual(strip(built));
        expect(lineHead(line).time).toBe(ctx.startedAt);
      }),
      { numRuns: 300 },
    );
  });
});
