import { Ajv } from 'ajv';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { JUDGE_VERDICTS, REVIEW_DECISIONS, type ReviewDecision } from '../formats/judge-names.js';
import type { AdminHandler, AdminRequest, AdminRouteDef } from '../pipeline/admin.js';
import type { Runtime } from '../pipeline/runtime.js';
import type { FindingFilter } from './review.js';
import { JUDGE } from './slots.js';
import type { FindingStatus } from './types.js';

const NOTE_MAX = 2_000;
const PAGE_MAX = 100;

const decisionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['decision'],
  properties: {
    decision: { type: 'string', enum: [...REVIEW_DECISIONS] },
    note: { type: 'string', minLength: 1, maxLength: NOTE_MAX },
  },
} as const;
const noteBody = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: { text: { type: 'string', minLength: 1, maxLength: NOTE_MAX } },
} as const;
const emptyBody = { type: 'object', additionalProperties: false, properties: {} } as const;

const ajv = new Ajv({ strict: true });
const checkDecision = ajv.compile<{ decision: ReviewDecision; note?: string }>(decisionBody);
const checkNote = ajv.compile<{ text: string }>(noteBody);
const checkEmpty = ajv.compile<Record<string, never>>(emptyBody);

const STATUSES: readonly FindingStatus[] = ['open', 'claimed', 'decided'];
const FILTER_KEYS = ['rubric', 'route', 'consumer', 'source'] as const;

function filterOf(q: URLSearchParams): FindingFilter {
  const status = q.get('status');
  const verdict = q.get('verdict');
  if (status !== null && !STATUSES.includes(status as FindingStatus))
    throw new GatehouseError('GH_ERR_JUDGE_BAD_REVIEW', {
      message: `status must be one of ${STATUSES.join(', ')}`,
    });
  if (verdict !== null && !(JUDGE_VERDICTS as readonly string[]).includes(verdict))
    throw new GatehouseError('GH_ERR_JUDGE_BAD_REVIEW', {
      message: `verdict must be one of ${JUDGE_VERDICTS.join(', ')}`,
    });
  const out: { -readonly [K in keyof FindingFilter]: FindingFilter[K] } = {};
  if (status !== null) out.status = status as FindingStatus;
  if (verdict !== null) out.verdict = verdict;
  for (const k of FILTER_KEYS) {
    const v = q.get(k);
    if (v !== null) out[k] = v.slice(0, 256);
  }
  return out;
}

function intParam(q: URLSearchParams, name: string, dflt: number, max: number): number {
  const raw = q.get(name);
  if (raw === null) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new GatehouseError('GH_ERR_JUDGE_BAD_REVIEW', { message: `${name} must be an integer 0..${max}` });
  return n;
}

const idOf = (req: AdminRequest): string => req.params.id ?? '';

/** A handler that needs the Judge's service; without it (Judge off) every call is a 404. */
const withJudge =
  (fn: (svc: NonNullable<ReturnType<typeof JUDGE.get>>, req: AdminRequest) => ReturnType<AdminHandler>) =>
  (rt: Runtime): AdminHandler => {
    const svc = JUDGE.get(rt);
    return async (req) => {
      if (svc === undefined)
        throw new GatehouseError('GH_ERR_JUDGE_FINDING_NOT_FOUND', { message: 'The Judge is off.' });
      return fn(svc, req);
    };
  };

/**
 * The review queue through the control plane (src/pipeline/admin.ts): the admin listener
 * authenticates, checks the role, audits each mutation with the `change` returned here.
 */
export const judgeAdminRoutes: readonly AdminRouteDef[] = [
  {
    method: 'GET',
    path: '/judge/findings',
    role: 'viewer',
    summary:
      'List review-queue findings, newest first; filter by status, rubric, verdict, route, consumer, source',
    create: withJudge(async (svc, req) => {
      const limit = intParam(req.query, 'limit', 50, PAGE_MAX) || 50;
      const cursor = intParam(req.query, 'cursor', 0, Number.MAX_SAFE_INTEGER);
      return { body: await svc.review.list(filterOf(req.query), limit, cursor) };
    }),
  },
  {
    method: 'GET',
    path: '/judge/findings/:id',
    role: 'viewer',
    summary: 'One finding with the evaluated record (redacted as configured)',
    create: withJudge(async (svc, req) => ({ body: await svc.review.get(idOf(req)) })),
  },
  {
    method: 'POST',
    path: '/judge/findings/:id/claim',
    role: 'operator',
    action: 'judge.claim',
    summary: 'Claim a finding for review (lapses after judge.review.claimTtlMs)',
    body: emptyBody,
    create: withJudge(async (svc, req) => {
      if (req.body !== undefined && req.body !== null && !checkEmpty(req.body))
        throw new GatehouseError('GH_ERR_JUDGE_BAD_REVIEW');
      const r = await svc.review.claim(idOf(req), req.operator.id);
      return {
        body: r.after,
        change: {
          target: `finding:${r.after.id}`,
          before: { status: r.before.status },
          after: { status: 'claimed', by: req.operator.id },
        },
      };
    }),
  },
  {
    method: 'POST',
    path: '/judge/findings/:id/decision',
    role: 'operator',
    action: 'judge.decide',
    summary: 'Decide a claimed finding: confirm, dismiss or escalate (feeds calibration)',
    body: decisionBody,
    create: withJudge(async (svc, req) => {
      if (!checkDecision(req.body))
        throw new GatehouseError('GH_ERR_JUDGE_BAD_REVIEW', {
          message: 'expected {"decision": "confirm"|"dismiss"|"escalate", "note"?: string}',
        });
      const r = await svc.review.decide(idOf(req), req.operator.id, req.body.decision, req.body.note);
      return {
        body: r.after,
        change: {
          target: `finding:${r.after.id}`,
          before: { status: r.before.status, verdict: r.before.verdict },
          after: { status: 'decided', decision: r.after.decision, rubric: r.after.rubric },
        },
      };
    }),
  },
  {
    method: 'POST',
    path: '/judge/findings/:id/notes',
    role: 'operator',
    action: 'judge.annotate',
    summary: 'Add a note to a finding',
    body: noteBody,
    create: withJudge(async (svc, req) => {
      if (!checkNote(req.body))
        throw new GatehouseError('GH_ERR_JUDGE_BAD_REVIEW', { message: 'expected {"text": string}' });
      const r = await svc.review.annotate(idOf(req), req.operator.id, req.body.text);
      return {
        status: 201,
        body: r.after,
        change: { target: `finding:${r.after.id}`, after: { notes: r.after.notes.length } },
      };
    }),
  },
  {
    method: 'GET',
    path: '/judge/calibration',
    role: 'viewer',
    summary: "Cohen's kappa between the Judge and reviewers per rubric, and which rubrics are calibrated",
    create: withJudge(async (svc) => ({ body: { rubrics: await svc.refreshCalibration() } })),
  },
  {
    method: 'GET',
    path: '/judge/health',
    role: 'viewer',
    summary: 'Judge breaker, queue depth and degraded state',
    create: withJudge(async (svc) => ({ body: await svc.checkHealth() })),
  },
];
