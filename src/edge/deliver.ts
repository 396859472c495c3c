import { GatehouseError } from '../errors/gatehouse-error.js';
import type { ModelEndpoint } from '../formats/provider.js';
import type { RequestContext, StreamChunk } from '../pipeline/context.js';
import { recordUsage } from '../upstream/call-stage.js';
import { mapUpstreamError } from '../upstream/errors.js';
import { SseParser } from '../upstream/sse.js';
import { sendJson, writeSse } from './respond.js';

/** Events sent one write each at the start of a stream (a handful of tokens: the first one is what counts). */
const EAGER_EVENTS = 4;

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

/** Writes the (inspected) answer to the consumer. The consumer sees its alias as `model`, never the pinned id. */
export async function deliver(ctx: RequestContext, base: Readonly<Record<string, string>>): Promise<void> {
  const up = ctx.upstream!;
  if (up.stream === null) {
    const json = up.json!;
    if (typeof json.model === 'string') json.model = ctx.alias;
    ctx.ttftMs = performance.now() - ctx.start;
    sendJson(ctx, base, 200, JSON.stringify(json));
    return;
  }
  await deliverStream(ctx, base, up.stream);
}

async function deliverStream(
  ctx: RequestContext,
  base: Readonly<Record<string, string>>,
  stream: AsyncIterable<Buffer>,
): Promise<void> {
  const route = ctx.route!;
  const endpoint = ctx.endpoint as ModelEndpoint;
  const parser = new SseParser();
  const inspectors = ctx.streamInspectors;
  let done = false;

  const release = (chunk: StreamChunk): string => {
    if (inspectors.length === 0) return `data: ${JSON.stringify(chunk)}\n\n`;
    let list: StreamChunk[] = [chunk];
    for (const insp of inspectors) list = list.flatMap((c) => insp.onChunk(c));
    let s = '';
    for (const c of list) s += `data: ${JSON.stringify(c)}\n\n`;
    return s;
  };

  // After each upstream read: what inspectors release for the whole burst (later ones see it too).
  const flush = (): string => {
    let s = '';
    for (let i = 0; i < inspectors.length; i++) {
      const insp = inspectors[i]!;
      if (insp.flush === undefined) continue;
      let list = insp.flush();
      for (const next of inspectors.slice(i + 1)) list = list.flatMap((c) => next.onChunk(c));
      for (const c of list) s += `data: ${JSON.stringify(c)}\n\n`;
    }
    return s;
  };

  const handle = (data: string): string => {
    if (data === '[DONE]') {
      done = true;
      let s = '';
      for (let i = 0; i < inspectors.length; i++) {
        let list = inspectors[i]!.onEnd();
        for (const next of inspectors.slice(i + 1)) list = list.flatMap((c) => next.onChunk(c));
        for (const c of list) s += `data: ${JSON.stringify(c)}\n\n`;
      }
      return `${s}data: [DONE]\n\n`;
    }
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(data);
    } catch {
      throw new GatehouseError('GH_ERR_UPSTREAM_BAD_RESPONSE');
    }
    if (obj === null || typeof obj !== 'object') throw new GatehouseError('GH_ERR_UPSTREAM_BAD_RESPONSE');
    if (obj.error !== undefined) throw new GatehouseError('GH_ERR_UPSTREAM_ERROR');
    obj = route.provider.chunk(endpoint, obj);
    const choices = obj.choices as Array<Record<string, unknown>> | undefined;
    if (obj.usage) recordUsage(ctx, obj);
    if (Array.isArray(choices)) {
      for (const c of choices) {
        const t = endpoint === 'chat' ? (c.delta as { content?: unknown } | undefined)?.content : c.text;
        if (typeof t === 'string') ctx.streamedText += t;
      }
    }
    if (!ctx.clientWantsUsage) {
      // The gateway asked for usage for its own accounting; the consumer did not.
      if (Array.isArray(choices) && choices.length === 0 && obj.usage) return '';
      if ('usage' in obj) delete obj.usage;
    }
    if (typeof obj.model === 'string') obj.model = ctx.alias;
    return release(obj);
  };

  const send = async (out: string): Promise<void> => {
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
  try {
    for await (const chunk of stream) {
      let out = '';
      for (const ev of parser.push(chunk)) {
        if (done) break;
        out += handle(ev.data);
        if (eager > 0 && !done) {
          eager--;
          if (inspectors.length > 0) out += flush();
          if (out !== '') {
            await send(out);
            out = '';
          }
        }
      }
      if (!done && inspectors.length > 0) out += flush();
      if (out !== '') await send(out);
    }
    if (!done) {
      for (const ev of parser.end()) if (!done) handle(ev.data);
      if (!done) throw new GatehouseError('GH_ERR_UPSTREAM_RESET');
    }
    ctx.res.end();
  } catch (err) {
    throw mapUpstreamError(err, ctx.abort.signal);
  } finally {
    if (ctx.usage === null || ctx.usageSource !== 'upstream') {
      ctx.usage = { inputTokens: ctx.inputTokens, outputTokens: route.countTokens(ctx.streamedText) };
      ctx.usageSource = 'counted';
    }
  }
}
