import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatehouseError } from '../errors/gatehouse-error.js';
import type { QuotaUsage } from '../formats/limit-dimension.js';
import type { Endpoint } from '../formats/provider.js';
import type { TraceContext } from '../formats/trace.js';
import type { Identity } from '../identity.js';
import type { LimitSignal, SecurityEventInput } from './audit-signals.js';
import type { RuntimeRoute } from './runtime.js';

export type { TraceContext };

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** A guardrail decision, recorded on the audit event without the matched text. */
export interface Verdict {
  readonly phase: 'input' | 'output';
  readonly detector: string;
  readonly type: string;
  readonly action: 'allow' | 'flag' | 'redact' | 'block';
  readonly score: number;
}

/** One parsed SSE data event of a streamed completion (already JSON-decoded). */
export type StreamChunk = Record<string, unknown>;

/** One tool call of a streamed answer, as the consumer received it. */
export interface StreamedToolCall {
  readonly choice: number;
  readonly index: number;
  name: string;
  arguments: string;
}

/**
 * Output inspection on streams: chunks go in, the chunks to release come out (possibly held back
 * or rewritten). Throwing a GatehouseError ends the stream with a terminal error event.
 */
export interface StreamInspector {
  onChunk(chunk: StreamChunk): StreamChunk[];
  /**
   * Called once after each upstream read's chunks went through `onChunk`: chunks to release now.
   * Lets an inspector do its work once per burst of tokens rather than once per token.
   */
  flush?(): StreamChunk[];
  onEnd(): StreamChunk[];
}

export interface UpstreamResult {
  readonly status: number;
  /** Non-streamed answers are read whole and parsed (bounded by the route's response cap). */
  json: Record<string, unknown> | null;
  /** Streamed answers: the raw upstream body, consumed by the deliver step. */
  readonly stream: AsyncIterable<Buffer> | null;
}

/**
 * Per-request state every phase shares. A feature's own state is a typed slot declared in its
 * folder (`defineSlot`, src/pipeline/slot.ts), never a field added here by module augmentation.
 */
export interface RequestContext {
  readonly requestId: string;
  trace: TraceContext;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** performance.now() at arrival, for latencies. */
  readonly start: number;
  /** Wall clock at arrival. */
  readonly startedAt: number;
  readonly endpoint: Endpoint;
  /** Aborted when the client goes away or a total timeout fires; the upstream call listens to it. */
  readonly abort: AbortController;
  /** The client's address: the TCP peer, or behind a trusted proxy the forwarded one (src/formats/client-address.ts). */
  readonly sourceIp: string;
  /** The TCP peer; differs from `sourceIp` only when a trusted proxy forwarded the request. */
  readonly peerIp?: string;
  readonly userAgent: string;
  /** Set by TLS listeners with a verified client certificate. */
  readonly peerCertificate: import('node:tls').PeerCertificate | null;

  identity: Identity | null;
  route: RuntimeRoute | null;
  /** The alias the consumer asked for (kept even when unknown, for the audit event). */
  alias: string | null;
  /** Parsed request body; stages may rewrite it (model pinning, max_tokens clamp, redaction). */
  body: Record<string, unknown> | null;
  stream: boolean;
  /** Whether the consumer itself asked for `stream_options.include_usage`. */
  clientWantsUsage: boolean;
  inputTokens: number;
  /** The clamped output budget sent upstream. */
  maxOutputTokens: number;

  upstream: UpstreamResult | null;
  streamInspectors: StreamInspector[];
  usage: Usage | null;
  usageSource: 'upstream' | 'counted' | 'none';
  /**
   * Completion text released on a stream, for the audit event only, capped at the route's
   * `upstream.maxResponseBytes` characters. Usage is counted per delta by the output budget.
   */
  streamedText: string;
  /**
   * Tool calls released on a stream, reassembled from their deltas (name, then argument fragments)
   * per choice and call index, for the Judge's record; bounded like `streamedText`.
   */
  streamedToolCalls: StreamedToolCall[];
  /** ms from arrival to the first byte of model output sent to the client. */
  ttftMs: number | null;
  status: number;
  error: GatehouseError | null;
  /** True once response headers went out (an error must then be an SSE terminal event). */
  headersSent: boolean;
  clientAborted: boolean;
  verdicts: Verdict[];
  /** Reasons to hand the request to the Judge. */
  flags: string[];
  cost: number;
  /** Extra headers for the upstream request (the signed downstream identity, ...). Never consumer credentials. */
  upstreamExtraHeaders: Record<string, string>;
  /** Extra headers for the client response (rate-limit headers, ...). */
  responseHeaders: Record<string, string>;

  // Audit signals (audit-signals.ts): raised by auth, limits and guard stages, written
  // by the record stage. Pipeline-level because several features write them and telemetry reads them.
  /** Security events raised by earlier stages (auth, limits, guard); the record stage emits them. */
  securityEvents?: SecurityEventInput[];
  /** Quota consumption the limiter observed for this consumer (feeds the quota alert and metric). */
  quotaUsage?: QuotaUsage[];
  /** The limiter dimension that rejected this request (requests, input_tokens, cost, concurrency ...). */
  limitDimension?: string;
  /** Limit alert signals raised on this request. */
  limitEvents?: LimitSignal[];
}

export type Stage = (ctx: RequestContext) => void | Promise<void>;

/**
 * What every request starts with besides its identity and transport (the runner's contexts and the
 * contingency queue's replays): one definition, so a new field gets its initial value once.
 */
type BlankState = Pick<
  RequestContext,
  | 'stream'
  | 'clientWantsUsage'
  | 'inputTokens'
  | 'maxOutputTokens'
  | 'upstream'
  | 'streamInspectors'
  | 'usage'
  | 'usageSource'
  | 'streamedText'
  | 'streamedToolCalls'
  | 'ttftMs'
  | 'status'
  | 'error'
  | 'headersSent'
  | 'clientAborted'
  | 'verdicts'
  | 'cost'
  | 'upstreamExtraHeaders'
  | 'responseHeaders'
>;

export function blankRequestState(): BlankState {
  return {
    stream: false,
    clientWantsUsage: false,
    inputTokens: 0,
    maxOutputTokens: 0,
    upstream: null,
    streamInspectors: [],
    usage: null,
    usageSource: 'none',
    streamedText: '',
    streamedToolCalls: [],
    ttftMs: null,
    status: 0,
    error: null,
    headersSent: false,
    clientAborted: false,
    verdicts: [],
    cost: 0,
    upstreamExtraHeaders: {},
    responseHeaders: {},
  };
}
