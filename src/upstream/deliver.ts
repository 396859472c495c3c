import type { Logger } from 'pino';
import { GatehouseError, isGatehouseError } from '../errors/gatehouse-error.js';
import { AnthropicStreamEncoder, chatToMessage } from '../formats/anthropic-wire.js';
import type { ModelEndpoint } from '../formats/provider.js';
import { sendJson, writeSse } from '../http/respond.js';
import type { RequestContext, StreamChunk } from '../pipeline/context.js';
import { INGRESS_WIRE } from '../pipeline/ingress.js';
import { internalError, routeOf, upstreamOf } from '../pipeline/require.js';
import { recordUsage } from './call-stage.js';
import { attributeStreamError, logUpstreamFailure, type StreamStep } from './errors.js';
import { budgetLimits, OutputBudget } from './output-budget.js';
import { SseParser } from './sse.js';
import { collectToolCalls } from './stream-tool-calls.js';

/** Events sent one write each at the start of a stream (a handful of tokens: the first one is what counts). */
const EAGER_EVENTS = 4;
/**
 * After `[DONE]` the rest of the upstream body is drained so the connection stays reusable, but
 * only this much: an upstream that keeps sending after its own end is cut off.
 */
const DRAIN_AFTER_DONE_BYTES = 64 * 1024;

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

const event = (c: StreamChunk): string => `data: ${JSON.stringify(c)}\n\n`;

/**
 * Keeps the released text for the audit event only, bounded like a whole answer (at most `cap`
 * characters): usage is counted per delta by the output budget, never from this copy.
 */
function keepStreamedText(ctx: RequestContext, text: string, cap: number): void {
  const room = cap - ctx.streamedText.length;
  if (room > 0) ctx.streamedText += text.length <= room ? text : text.slice(0, room);
}

/**
 * Relays the upstream's answer: the upstream feature's part of delivery (parse its stream, hold it
 * to the output budget, pass it through the request's stream inspectors); the writing itself is
 * src/http/respond.ts. The composition root hands it to the runner.
 *
 * Writes the (inspected) answer to the consumer. The consumer sees its alias as `model`, never the pinned id. */
export async function deliver(
  ctx: RequestContext,
  base: Readonly<Record<string, string>>,
  log: Logger,
): Promise<void> {
  const up = upstreamOf(ctx);
  if (up.stream === null) {
    const json = up.json;
    if (json === null) throw internalError('a non-streamed upstream answer without its parsed JSON');
    if (typeof json.model === 'string') json.model = ctx.alias;
    ctx.ttftMs = performance.now() - ctx.start;
    // 202: accepted into the contingency queue (the body is the job, not a model answer).
    if (up.status === 202) return sendJson(ctx, base, 202, JSON.stringify(json));
    const out = INGRESS_WIRE.get(ctx) === 'anthropic' ? chatToMessage(json, ctx.alias ?? '') : json;
    sendJson(ctx, base, 200, JSON.stringify(out));
    return;
  }
  await deliverStream(ctx, base, up.stream, log);
}

/**
 * Streams the answer: parse, output budget, inspectors, write. The stream ends at the upstream's
 * `[DONE]`, at the output budget (`finish_reason: "length"`, then `[DONE]`, upstream aborted) or
 * at `upstream.maxResponseBytes` read from the upstream (terminal error event). A failure is
 * attributed to where it happened: reading the upstream, our own processing, or writing to the client.
 */
async function deliverStream(
  ctx: RequestContext,
  base: Readonly<Record<string, string>>,
  stream: AsyncIterable<Buffer>,
  log: Logger,
): Promise<void> {
  const route = routeOf(ctx);
  const endpoint = ctx.endpoint as ModelEndpoint;
  const maxBytes = route.config.upstream.maxResponseBytes;
  const parser = new SseParser();
  const inspectors = ctx.streamInspectors;
  const limits = budgetLimits(endpoint, ctx.body, ctx.maxOutputTokens, ctx.inputTokens) ?? {
    perChoice: Number.MAX_SAFE_INTEGER,
    choices: 1,
  };
  const budget = new OutputBudget(route.countTokens, limits, endpoint, (t) =>
    keepStreamedText(ctx, t, maxBytes),
  );
  // The Anthropic ingress gets Anthropic's typed events, built from the same inspected chunks.
  const wire =
    INGRESS_WIRE.get(ctx) === 'anthropic'
      ? new AnthropicStreamEncoder(ctx.alias ?? '', ctx.inputTokens)
      : null;
  const ev = (c: StreamChunk): string => {
    // What the consumer is sent, tool calls included, is what the Judge's record holds.
    collectToolCalls(ctx, c, maxBytes);
    return wire === null ? event(c) : wire.chunk(c);
  };
  const doneMark = (): string => (wire === null ? 'data: [DONE]\n\n' : wire.end());
  let done = false;
  /** The budget ended the stream: the upstream is aborted rather than drained. */
  let cutShort = false;
  let envelope: StreamChunk = {};

  /**
   * Passes chunks through the inspectors from `from` on and serialises what comes out. Per chunk, no
   * intermediate arrays unless an inspector splits or holds (the common single inspector returns
   * its list, written directly).
   */
  const through = (list: readonly StreamChunk[], from: number): string => {
    let s = '';
    for (const c of list) {
      if (from >= inspectors.length) s += ev(c);
      else {
        const insp = inspectors[from];
        if (insp !== undefined) s += through(insp.onChunk(c), from + 1);
      }
    }
    return s;
  };
  const release = (chunk: StreamChunk): string => (inspectors.length === 0 ? ev(chunk) : through([chunk], 0));

  // After each upstream read: what inspectors release for the whole burst (later ones see it too).
  const flush = (): string => {
    let s = '';
    for (let i = 0; i < inspectors.length; i++) {
      const f = inspectors[i]?.flush;
      if (f !== undefined) s += through(f.call(inspectors[i]), i + 1);
    }
    return s;
  };

  /** The end of the stream: what inspectors still hold, our usage chunk when we cut, `[DONE]`. */
  const end = (ownUsage: boolean): string => {
    done = true;
    let s = '';
    for (let i = 0; i < inspectors.length; i++) {
      const insp = inspectors[i];
      if (insp !== undefined) s += through(insp.onEnd(), i + 1);
    }
    if (ownUsage && ctx.clientWantsUsage) {
      // The upstream's usage chunk will not come: the consumer who asked for one gets the count.
      const input = ctx.usage?.inputTokens ?? ctx.inputTokens;
      s += ev({
        id: envelope.id,
        object: envelope.object,
        created: envelope.created,
        model: ctx.alias,
        choices: [],
        usage: {
          prompt_tokens: input,
          completion_tokens: budget.tokens,
          total_tokens: input + budget.tokens,
        },
      });
    }
    return s + doneMark();
  };

  const handle = (data: string): string => {
    if (data === '[DONE]') return end(false);
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(data);
    } catch {
      throw new GatehouseError('GH_ERR_UPSTREAM_BAD_RESPONSE');
    }
    if (obj === null || typeof obj !== 'object') throw new GatehouseError('GH_ERR_UPSTREAM_BAD_RESPONSE');
    if (obj.error !== undefined) throw new GatehouseError('GH_ERR_UPSTREAM_ERROR');
    obj = route.provider.chunk(endpoint, obj);
    if (obj.usage) recordUsage(ctx, obj);
    const had = Array.isArray(obj.choices) ? obj.choices.length : 0;
    budget.chunk(obj);
    const choices = obj.choices as unknown[] | undefined;
    let out = '';
    if (had > 0) envelope = obj;
    const noChoices = (choices?.length ?? 0) === 0;
    // A chunk whose every choice the budget dropped says nothing; nor does a usage-only chunk when
    // the gateway asked for usage for its own accounting and the consumer did not.
    const silent = noChoices && (obj.usage ? !ctx.clientWantsUsage : had > 0);
    if (!silent) {
      if (!ctx.clientWantsUsage && 'usage' in obj) delete obj.usage;
      if (typeof obj.model === 'string') obj.model = ctx.alias;
      out = release(obj);
    }
    if (budget.ended) {
      cutShort = true;
      out += end(true);
    }
    return out;
  };

  const send = async (out: string): Promise<void> => {
    // A write to a closed response would wait for a 'drain' or 'close' that already happened.
    if (ctx.res.destroyed) throw new GatehouseError('GH_ERR_CLIENT_CLOSED');
    if (!ctx.headersSent) {
      ctx.status = 200;
      ctx.headersSent = true;
      ctx.res.writeHead(200, { ...base, ...ctx.responseHeaders, ...SSE_HEADERS });
      ctx.ttftMs = performance.now() - ctx.start;
    }
    // Answer the consumer at once, then keep draining so the upstream connection stays reusable.
    // The last events and the end of the chunked body go out in one write.
    if (done) ctx.res.end(out);
    else {
      const wait = writeSse(ctx.res, out);
      if (wait !== null) await wait;
    }
  };

  // With stream inspectors, the first events go out one by one even when a read brings the whole
  // answer: the first token does not wait for the rest of the burst (time to first token). Without
  // them a burst is parsed and re-serialised in a few µs per event, less than the separate writes
  // would cost (bench, burst of 20 events: 255 -> 301 µs of CPU per answer with 4 eager writes).
  // Then one write per read.
  let eager = inspectors.length > 0 ? EAGER_EVENTS : 0;
  let step: StreamStep = 'read';
  let bytes = 0;
  let bytesAtDone = 0;
  try {
    // Leaving this loop early (break or throw) destroys the upstream body: undici aborts the request.
    for await (const chunk of stream) {
      bytes += chunk.length;
      if (done) {
        if (bytes - bytesAtDone > DRAIN_AFTER_DONE_BYTES) break;
        continue;
      }
      // Bytes read from the upstream, not text kept: a stream of empty deltas is bounded too.
      if (bytes > maxBytes) throw new GatehouseError('GH_ERR_UPSTREAM_RESPONSE_TOO_LARGE');
      step = 'process';
      let out = '';
      for (const ev of parser.push(chunk)) {
        if (done) break;
        out += handle(ev.data);
        if (eager > 0 && !done) {
          eager--;
          if (inspectors.length > 0) out += flush();
          if (out !== '') {
            step = 'write';
            await send(out);
            step = 'process';
            out = '';
          }
        }
      }
      if (!done && inspectors.length > 0) out += flush();
      step = 'write';
      if (out !== '') await send(out);
      step = 'read';
      if (done) {
        bytesAtDone = bytes;
        if (cutShort) break;
      }
    }
    if (!done) {
      step = 'process';
      for (const ev of parser.end()) if (!done) handle(ev.data);
      if (!done) throw new GatehouseError('GH_ERR_UPSTREAM_RESET');
    }
    step = 'write';
    ctx.res.end();
  } catch (err) {
    const attributed = attributeStreamError(err, step, ctx.clientAborted, ctx.abort.signal);
    if (isGatehouseError(attributed)) logUpstreamFailure(log, ctx.requestId, attributed);
    throw attributed;
  } finally {
    if (ctx.usage === null || ctx.usageSource !== 'upstream') {
      ctx.usage = { inputTokens: ctx.inputTokens, outputTokens: budget.tokens };
      ctx.usageSource = 'counted';
    }
  }
}
