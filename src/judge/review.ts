import type { JudgeConfig } from '../config/schema/judge.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { ReviewDecision } from '../formats/judge-names.js';
import type { JudgeBackend } from './backend/types.js';
import type { Finding, FindingStatus, JudgeRecord } from './types.js';

export interface FindingFilter {
  readonly status?: FindingStatus;
  readonly rubric?: string;
  readonly verdict?: string;
  readonly route?: string;
  readonly consumer?: string;
  readonly source?: string;
}

/** Findings a list call reads at most to fill one page (the filter runs over them). */
const SCAN_MAX = 2_000;
const SCAN_STEP = 200;

export interface ReviewQueue {
  list(
    filter: FindingFilter,
    limit: number,
    cursor: number,
  ): Promise<{ findings: Finding[]; next: number | null }>;
  get(id: string): Promise<{ finding: Finding; record: JudgeRecord | null }>;
  claim(id: string, by: string): Promise<{ before: Finding; after: Finding }>;
  decide(
    id: string,
    by: string,
    decision: ReviewDecision,
    note?: string,
  ): Promise<{ before: Finding; after: Finding }>;
  annotate(id: string, by: string, text: string): Promise<{ before: Finding; after: Finding }>;
}

const matches = (f: Finding, q: FindingFilter): boolean =>
  (q.status === undefined || f.status === q.status) &&
  (q.rubric === undefined || f.rubric === q.rubric) &&
  (q.verdict === undefined || f.verdict === q.verdict) &&
  (q.route === undefined || f.route === q.route) &&
  (q.consumer === undefined || f.consumer === q.consumer) &&
  (q.source === undefined || f.source === q.source);

/** A claim lapses after `claimTtlMs`: the finding is open again for anyone. */
function effectiveStatus(f: Finding, expiredBefore: number): FindingStatus {
  if (f.status === 'claimed' && f.claimedAt !== null && f.claimedAt < expiredBefore) return 'open';
  return f.status;
}

/**
 * The review queue's actions (the admin listener mounts them, checks roles and audits; this only
 * acts). Claims and decisions are compare-and-set on the finding's version, so two reviewers
 * acting at once get one success and one GH_ERR_JUDGE_CONFLICT, never a lost update. A decision
 * on a model finding feeds the rubric's agreement counts (calibration).
 */
export function createReviewQueue(
  backend: JudgeBackend,
  cfg: JudgeConfig['review'],
  onDecision: (f: Finding, decision: ReviewDecision) => Promise<void>,
  now: () => number = Date.now,
): ReviewQueue {
  const load = async (id: string): Promise<Finding> => {
    const f = await backend.getFinding(id);
    if (f === null) throw new GatehouseError('GH_ERR_JUDGE_FINDING_NOT_FOUND');
    return f;
  };
  const write = async (before: Finding, after: Finding): Promise<{ before: Finding; after: Finding }> => {
    if (!(await backend.replaceFinding(after, before.version)))
      throw new GatehouseError('GH_ERR_JUDGE_CONFLICT');
    return { before, after };
  };
  const lapseBefore = (): number => now() - cfg.claimTtlMs;

  return {
    async list(filter, limit, cursor) {
      const out: Finding[] = [];
      let offset = cursor;
      let scanned = 0;
      const cut = lapseBefore();
      while (out.length < limit && scanned < SCAN_MAX) {
        const page = await backend.scanFindings(offset, SCAN_STEP);
        scanned += SCAN_STEP;
        for (const f of page.findings) {
          const shown = { ...f, status: effectiveStatus(f, cut) };
          if (out.length < limit && matches(shown, filter)) out.push(shown);
        }
        if (page.next === null) return { findings: out, next: null };
        offset = page.next;
      }
      return { findings: out, next: offset };
    },
    async get(id) {
      const finding = await load(id);
      const raw = finding.recordId === null ? null : await backend.getRecord(finding.recordId);
      return {
        finding: { ...finding, status: effectiveStatus(finding, lapseBefore()) },
        record: raw === null ? null : (JSON.parse(raw) as JudgeRecord),
      };
    },
    async claim(id, by) {
      const f = await load(id);
      const status = effectiveStatus(f, lapseBefore());
      if (status === 'decided') throw new GatehouseError('GH_ERR_JUDGE_FINDING_DECIDED');
      if (status === 'claimed' && f.claimedBy !== by)
        throw new GatehouseError('GH_ERR_JUDGE_FINDING_CLAIMED');
      return write(f, { ...f, version: f.version + 1, status: 'claimed', claimedBy: by, claimedAt: now() });
    },
    async decide(id, by, decision, note) {
      const f = await load(id);
      const status = effectiveStatus(f, lapseBefore());
      if (status === 'decided') throw new GatehouseError('GH_ERR_JUDGE_FINDING_DECIDED');
      if (status !== 'claimed' || f.claimedBy !== by) throw new GatehouseError('GH_ERR_JUDGE_NOT_CLAIMED');
      const at = now();
      const notes = note === undefined ? f.notes : [...f.notes, { by, at, text: note }].slice(-cfg.maxNotes);
      const r = await write(f, {
        ...f,
        version: f.version + 1,
        status: 'decided',
        decision,
        decidedBy: by,
        decidedAt: at,
        notes,
      });
      await onDecision(r.after, decision);
      return r;
    },
    async annotate(id, by, text) {
      const f = await load(id);
      if (f.notes.length >= cfg.maxNotes) throw new GatehouseError('GH_ERR_JUDGE_NOTES_FULL');
      return write(f, { ...f, version: f.version + 1, notes: [...f.notes, { by, at: now(), text }] });
    },
  };
}
