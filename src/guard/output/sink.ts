/**
 * Where output verdicts go: `ctx.verdicts` (the audit event; type and score, never the matched
 * text), `ctx.flags` for the Judge, and the error that ends the answer on `block`.
 */
import type { ErrorCode } from '../../errors/catalog.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { RequestContext } from '../../pipeline/context.js';
import type { ChannelSink } from './channel.js';
import type { Hit, OutputDetectorName } from './types.js';

const BLOCK_CODE: Readonly<Record<OutputDetectorName, ErrorCode>> = {
  pii: 'GH_ERR_OUTPUT_BLOCKED',
  secrets: 'GH_ERR_OUTPUT_BLOCKED',
  injection: 'GH_ERR_OUTPUT_BLOCKED',
  canary: 'GH_ERR_OUTPUT_LEAK',
  similarity: 'GH_ERR_OUTPUT_LEAK',
  format: 'GH_ERR_OUTPUT_SCHEMA',
  tools: 'GH_ERR_TOOL_NOT_OFFERED',
};

export interface Verdictable {
  readonly detector: OutputDetectorName;
  readonly type: string;
  readonly score: number;
  readonly action: 'allow' | 'flag' | 'redact' | 'block';
}

export function record(ctx: RequestContext, v: Verdictable): void {
  ctx.verdicts.push({
    phase: 'output',
    detector: v.detector,
    type: v.type,
    action: v.action,
    score: v.score,
  });
  if (v.action === 'flag') {
    const reason = `guard.output:${v.detector}:${v.type}`;
    if (!ctx.flags.includes(reason)) ctx.flags.push(reason);
  }
}

/** Records the verdict and throws the error that ends the answer. */
export function block(ctx: RequestContext, v: Verdictable): never {
  record(ctx, v);
  throw new GatehouseError(BLOCK_CODE[v.detector]);
}

/** Held text outgrew its bound (`stream.maxHoldChars` with `onOverflow: block`, or `format.maxBufferChars`). */
export function holdLimit(ctx: RequestContext, detector: 'stream' | 'format'): never {
  ctx.verdicts.push({ phase: 'output', detector, type: 'HOLD_LIMIT', action: 'block', score: 1 });
  throw new GatehouseError('GH_ERR_OUTPUT_HOLD_LIMIT');
}

export function channelSink(ctx: RequestContext): ChannelSink {
  const asVerdict = (h: Hit): Verdictable => ({
    detector: h.detector === 'placeholder' ? 'pii' : h.detector,
    type: h.type,
    score: h.score,
    action: h.action === 'restore' ? 'allow' : h.action,
  });
  return {
    verdict: (h) => record(ctx, asVerdict(h)),
    block: (h) => block(ctx, asVerdict(h)),
    overflow: () => holdLimit(ctx, 'stream'),
  };
}
