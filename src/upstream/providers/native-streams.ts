import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import { type SseEvent, SseParser } from '../sse.js';
import type { Json } from './openai-chat.js';

/*
 * Readers for the backends' native stream framings, each yielding parsed events as they complete,
 * correct across arbitrary chunk boundaries and bounded (a frame or line past its cap is a malformed
 * stream, not a memory sink).
 */

const MAX_FRAME = 4 * 1024 * 1024;

const bad = (): GatehouseError => new GatehouseError('GH_ERR_UPSTREAM_BAD_RESPONSE');

function parseObject(text: string): Json {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw bad();
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad();
  return v as Json;
}

/** Server-sent events (Anthropic, Gemini with `alt=sse`). */
export async function* sseEvents(body: AsyncIterable<Buffer>): AsyncGenerator<SseEvent> {
  const parser = new SseParser();
  for await (const chunk of body) yield* parser.push(chunk);
  yield* parser.end();
}

/** Newline-delimited JSON (Ollama's /api/chat). */
export async function* ndjson(body: AsyncIterable<Buffer>): AsyncGenerator<Json> {
  const decoder = new TextDecoder('utf-8');
  let buf = '';
  for await (const chunk of body) {
    buf += decoder.decode(chunk, { stream: true });
    let nl = buf.indexOf('\n');
    while (nl !== -1) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line !== '') yield parseObject(line);
      nl = buf.indexOf('\n');
    }
    if (buf.length > MAX_FRAME) throw bad();
  }
  const last = (buf + decoder.decode()).trim();
  if (last !== '') yield parseObject(last);
}

/** One decoded AWS event-stream message: its `:message-type`, `:event-type` / `:exception-type`, and JSON payload. */
export interface AwsEvent {
  readonly messageType: string;
  readonly eventType: string;
  readonly payload: Json;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/**
 * The `application/vnd.amazon.eventstream` framing of Bedrock's ConverseStream: each message is
 * prelude (total length, headers length, prelude CRC32), headers, payload, message CRC32. The codec
 * checks both CRCs; this reader only cuts the byte stream into whole messages.
 */
export async function* awsEventStream(body: AsyncIterable<Buffer>): AsyncGenerator<AwsEvent> {
  let buf: Buffer = Buffer.alloc(0);
  for await (const chunk of body) {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (buf.length >= 4) {
      const total = buf.readUInt32BE(0);
      if (total < 16 || total > MAX_FRAME) throw bad();
      if (buf.length < total) break;
      const frame = buf.subarray(0, total);
      buf = buf.subarray(total);
      let msg: ReturnType<typeof codec.decode>;
      try {
        msg = codec.decode(frame);
      } catch {
        throw bad();
      }
      const header = (name: string): string => {
        const h = msg.headers[name];
        return h !== undefined && h.type === 'string' ? h.value : '';
      };
      const text = toUtf8(msg.body);
      yield {
        messageType: header(':message-type'),
        eventType: header(':event-type') || header(':exception-type'),
        payload: text === '' ? {} : parseObject(text),
      };
    }
  }
  if (buf.length > 0) throw new GatehouseError('GH_ERR_UPSTREAM_RESET');
}

/** Encodes one event-stream message (the fake Bedrock of the tests, and the fixtures). */
export function encodeAwsEvent(messageType: string, eventType: string, payload: Json): Uint8Array {
  const typeHeader = messageType === 'exception' ? ':exception-type' : ':event-type';
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: messageType },
      [typeHeader]: { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}
