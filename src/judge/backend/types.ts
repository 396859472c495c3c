import type { Finding } from '../types.js';

/** A record handed to a worker: the stream entry id, the JSON and how often it was delivered. */
export interface Delivery {
  readonly entryId: string;
  readonly data: string;
  readonly deliveries: number;
}

export type Stratum = 'sampled' | 'risk';

/** The confusion counts of one rubric: Judge positive/negative × reviewer positive/negative. */
export interface Agreement {
  /** Judge fail/escalate, reviewer confirm/escalate. */
  readonly bothPositive: number;
  readonly judgeOnly: number;
  readonly reviewerOnly: number;
  readonly bothNegative: number;
}

export interface FindingPage {
  readonly findings: readonly Finding[];
  /** Offset for the next page, or null at the end of what was scanned. */
  readonly next: number | null;
}

/**
 * The Judge's durable state, one implementation per store capability: Redis Streams with a
 * consumer group when the store is shared (`store.scripts`), an in-process equivalent otherwise.
 * Everything that must survive a worker's crash (the queue, its pending entries, the done markers,
 * the review queue and the agreement counts) lives here.
 */
export interface JudgeBackend {
  /** Appends a record (trimming the stream to about `maxLength`). */
  enqueue(data: string): Promise<void>;
  /** New records for this worker, waiting up to `blockMs` when there are none. */
  read(worker: string, count: number, blockMs: number): Promise<Delivery[]>;
  /**
   * Records another worker took and left unacknowledged for `minIdleMs` (it crashed or hangs),
   * now this worker's; their delivery count includes this one.
   */
  reclaim(worker: string, minIdleMs: number, count: number): Promise<Delivery[]>;
  ack(entryId: string): Promise<void>;
  /** Records not yet acknowledged: undelivered plus pending. */
  depth(): Promise<number>;
  /** Adds to this hour's spend of a stratum (micro-USD) and returns the new total. */
  spend(stratum: Stratum, microUsd: number, hour: number): Promise<number>;
  /** True when this record was already judged to the end (its findings are stored). */
  isDone(recordId: string): Promise<boolean>;
  markDone(recordId: string, ttlMs: number): Promise<void>;
  /** Stores a finding unless one with its id exists; true when stored now. Keeps the record JSON beside it. */
  putFinding(f: Finding, record: string | null): Promise<boolean>;
  getFinding(id: string): Promise<Finding | null>;
  getRecord(recordId: string): Promise<string | null>;
  /** Newest first, `scan` findings from `offset`. */
  scanFindings(offset: number, scan: number): Promise<FindingPage>;
  /** Replaces a finding if its stored version is `expected`; false when someone changed it first. */
  replaceFinding(next: Finding, expected: number): Promise<boolean>;
  addAgreement(rubric: string, judgePositive: boolean, reviewerPositive: boolean): Promise<void>;
  agreements(): Promise<Readonly<Record<string, Agreement>>>;
  close(): Promise<void>;
}

export interface BackendLimits {
  readonly maxLength: number;
  readonly maxFindings: number;
  /** How long an evaluated record's text is kept for reviewers. */
  readonly recordTtlMs: number;
}

export const emptyAgreement = (): Agreement => ({
  bothPositive: 0,
  judgeOnly: 0,
  reviewerOnly: 0,
  bothNegative: 0,
});
