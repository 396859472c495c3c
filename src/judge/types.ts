import type { AggregateKind, JudgeVerdict, ReviewDecision, RubricKind } from '../formats/judge-names.js';

/** A text message of the evaluated exchange, after the configured redaction, capped. */
export interface RecordMessage {
  readonly role: string;
  readonly content: string;
}

export interface RecordToolCall {
  readonly name: string;
  /** The arguments as the model wrote them (redacted, capped). */
  readonly arguments: string;
}

/**
 * What the Judge evaluates: one answered request, built at the record phase from the request's
 * context (src/judge/record.ts) and queued as JSON. It carries no credential and no header value.
 */
export interface JudgeRecord {
  readonly v: 1;
  /** The request id: the record's identity across deliveries, findings and reviews. */
  readonly id: string;
  readonly at: number;
  readonly traceId: string;
  readonly route: string;
  readonly tier: 1 | 2 | 3;
  readonly endpoint: string;
  readonly model: string;
  /** Host of the upstream deployment (no path, no credentials). */
  readonly deployment: string;
  /**
   * Alias of the deployment that served it: the route's own, or a canary deployment's on the
   * canary's side (absent on records queued before this field: the route's own).
   */
  readonly served?: string;
  readonly identity: {
    readonly consumer: string | null;
    readonly agent: string | null;
    readonly session: string | null;
    readonly method: string | null;
  };
  /** Why it was sampled: `flagged`, `near_miss`, `alternate` or `sampled`. */
  readonly reason: SampleReason;
  readonly flags: readonly string[];
  readonly verdicts: ReadonlyArray<{
    readonly phase: string;
    readonly detector: string;
    readonly type: string;
    readonly action: string;
    readonly score: number;
  }>;
  readonly request: readonly RecordMessage[];
  readonly answer: readonly RecordMessage[];
  readonly toolCalls: readonly RecordToolCall[];
  readonly redacted: boolean;
  /** True when text was cut at `judge.maxTextChars`. */
  readonly truncated: boolean;
  readonly usage: { readonly input: number; readonly output: number };
  readonly cost: number;
}

export type SampleReason = 'flagged' | 'near_miss' | 'alternate' | 'sampled';

/** The structured answer a rubric asks the Judge model for (validated with its JSON schema). */
export interface RubricOutput {
  readonly verdict: JudgeVerdict;
  readonly scores: Readonly<Record<string, number>>;
  readonly confidence: number;
  readonly rationale: string;
}

export type FindingStatus = 'open' | 'claimed' | 'decided';
export type FindingSource = 'model' | 'aggregate';

export interface FindingNote {
  readonly by: string;
  readonly at: number;
  readonly text: string;
}

/**
 * One entry of the review queue: a model rubric's `fail`/`escalate` (or a sampled `pass`, for
 * calibration) or an aggregate judge's anomaly. `version` increases on every change (claims,
 * decisions and notes are compare-and-set on it).
 */
export interface Finding {
  readonly id: string;
  readonly version: number;
  readonly source: FindingSource;
  readonly rubric: string;
  readonly kind: RubricKind | AggregateKind;
  readonly verdict: JudgeVerdict;
  readonly scores: Readonly<Record<string, number>>;
  readonly confidence: number;
  readonly rationale: string;
  /** The evaluated record's id (model findings), or null (aggregate findings). */
  readonly recordId: string | null;
  readonly route: string | null;
  readonly consumer: string | null;
  readonly agent: string | null;
  readonly createdAt: number;
  readonly status: FindingStatus;
  readonly claimedBy: string | null;
  readonly claimedAt: number | null;
  readonly decision: ReviewDecision | null;
  readonly decidedBy: string | null;
  readonly decidedAt: number | null;
  readonly notes: readonly FindingNote[];
  /** OWASP LLM and Agentic ids of what the rubric looks for. */
  readonly owasp: { readonly llm: readonly string[]; readonly asi: readonly string[] };
}
