import type { GatehouseConfig } from '../../../src/config/schema/index.js';
import { type OutputPolicy, outputPolicySchema } from '../../../src/config/schema/output-guard.js';
import { prepareRequest } from '../../../src/guard/output/request.js';
import { compileRouteGuard, type RouteOutputGuard } from '../../../src/guard/output/service.js';
import { OUTPUT_GUARD_REQUEST } from '../../../src/guard/output/slots.js';
import { createStreamInspector } from '../../../src/guard/output/stream-inspector.js';
import { createRedactionMap } from '../../../src/guard/redact.js';
import { REDACTIONS } from '../../../src/guard/slots.js';
import type { RequestContext, StreamChunk } from '../../../src/pipeline/context.js';
import { SseParser } from '../../../src/upstream/sse.js';

const guards = new Map<string, RouteOutputGuard>();

/** A route's compiled output guard (cached per policy, as the service does once per route at boot). */
export function guardFor(policy: unknown = {}, systemPrompt: string | null = null): RouteOutputGuard {
  const key = JSON.stringify([policy, systemPrompt]);
  let g = guards.get(key);
  if (g === undefined) {
    g = compileRouteGuard(outputPolicySchema.parse(policy) as OutputPolicy, systemPrompt);
    guards.set(key, g);
  }
  return g;
}

export type FakeContext = RequestContext;

/** The parts of a request context the output guard reads and writes. */
export function fakeContext(
  body: Record<string, unknown>,
  endpoint: 'chat' | 'completions' = 'chat',
): FakeContext {
  return {
    endpoint,
    body,
    identity: null,
    verdicts: [],
    flags: [],
  } as unknown as FakeContext;
}

export function withPlaceholders(ctx: FakeContext, entries: Record<string, string>): FakeContext {
  const map = createRedactionMap();
  for (const [k, v] of Object.entries(entries)) {
    map.byPlaceholder.set(k, v);
    map.byValue.set(v, k);
  }
  REDACTIONS.set(ctx, map);
  return ctx;
}

export interface Outcome {
  /** Concatenated content the consumer received. */
  readonly text: string;
  /** Each released content piece. */
  readonly pieces: string[];
  /** Error code that ended the stream, or null. */
  readonly error: string | null;
}

/**
 * Runs SSE bytes, cut into the given chunks (each one an upstream read), through the real parser and
 * the output guard's stream inspector, as the deliver loop does, minus the socket.
 */
export function runStream(
  chunks: readonly Uint8Array[],
  opts: { policy?: unknown; body?: Record<string, unknown>; ctx?: FakeContext; systemPrompt?: string } = {},
): Outcome & { ctx: FakeContext } {
  const ctx = opts.ctx ?? fakeContext(opts.body ?? { messages: [{ role: 'user', content: 'hi' }] });
  const req = prepareRequest(ctx, guardFor(opts.policy, opts.systemPrompt ?? null));
  OUTPUT_GUARD_REQUEST.set(ctx, req);
  const insp = createStreamInspector(ctx, req);
  const parser = new SseParser();
  const pieces: string[] = [];
  const take = (list: StreamChunk[]) => {
    for (const c of list) {
      const ch = (c.choices as Array<{ delta?: { content?: string } }> | undefined) ?? [];
      const d = ch[0]?.delta?.content;
      if (typeof d === 'string' && d !== '') pieces.push(d);
    }
  };
  try {
    for (const chunk of chunks) {
      let done = false;
      for (const ev of parser.push(chunk)) {
        if (ev.data === '[DONE]') {
          take(insp.onEnd());
          done = true;
        } else take(insp.onChunk(JSON.parse(ev.data)));
      }
      // As the deliver loop does after each upstream read.
      if (!done) take(insp.flush!());
    }
    return { text: pieces.join(''), pieces, error: null, ctx };
  } catch (err) {
    return { text: pieces.join(''), pieces, error: (err as { code?: string }).code ?? String(err), ctx };
  }
}

export type { GatehouseConfig };
