import type { Identity } from '../../identity.js';

export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'dead'] as const;
export type JobStatus = (typeof JOB_STATES)[number];

/** The request a job replays (`{q}:payload:<id>`, written once at enqueue). */
export interface JobPayload {
  readonly id: string;
  readonly route: string;
  readonly endpoint: 'chat' | 'completions' | 'embeddings';
  /** The validated body; every stage runs on it again at replay (input guard included). */
  readonly body: Record<string, unknown>;
  /** Who asked: restored at replay, so limits, tiers and the audit name the same consumer. */
  readonly identity: Identity;
  readonly callback: string | null;
  /** The original request's id (correlation with its audit event). */
  readonly requestId: string;
  readonly createdAt: number;
}

/** The job's state (`{q}:job:<id>`), changed only by the Lua transitions (lua.ts). */
export interface JobState {
  readonly id: string;
  readonly status: JobStatus;
  readonly attempts: number;
  readonly owner: string | null;
  readonly leaseUntil: number;
  readonly updatedAt: number;
  /** JSON text of `{status, body}` once finished. */
  readonly result: string | null;
}

export function parseState(raw: string | null): JobState | null {
  if (raw === null) return null;
  try {
    const j = JSON.parse(raw) as Partial<JobState> & { owner?: unknown; result?: unknown };
    if (typeof j.id !== 'string' || typeof j.status !== 'string') return null;
    return {
      id: j.id,
      status: (JOB_STATES as readonly string[]).includes(j.status) ? j.status : 'failed',
      attempts: Number(j.attempts ?? 0),
      owner: typeof j.owner === 'string' ? j.owner : null,
      leaseUntil: Number(j.leaseUntil ?? 0),
      updatedAt: Number(j.updatedAt ?? 0),
      result: typeof j.result === 'string' ? j.result : null,
    };
  } catch {
    return null;
  }
}

/** What the consumer sees from `GET /v1/gatehouse/jobs/{id}`: never the body, identity or owner. */
export function publicView(s: JobState, p: JobPayload): Record<string, unknown> {
  let result: unknown;
  if (s.result !== null) {
    try {
      result = JSON.parse(s.result);
    } catch {
      result = undefined;
    }
  }
  return {
    id: s.id,
    object: 'gatehouse.job',
    status: s.status,
    model: p.route,
    attempts: s.attempts,
    created_at: Math.floor(p.createdAt / 1000),
    updated_at: Math.floor(s.updatedAt / 1000),
    ...(result === undefined ? {} : { result }),
  };
}
