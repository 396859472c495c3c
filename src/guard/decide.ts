/**
 * From findings to decisions: the route's action for each finding (per detector, per entity type),
 * injection thresholds per segment kind, and the error code a block maps to.
 */
import type { ErrorCode } from '../errors/catalog.js';
import { OFF_TASK_TYPE } from './detectors/off-task.js';
import type { GuardPolicy } from './policy-defaults.js';
import type { DetectorName, Finding, GuardAction, SegmentKind, Span } from './types.js';

export interface Decision {
  readonly detector: DetectorName;
  readonly type: string;
  readonly score: number;
  readonly action: GuardAction;
  readonly kind: SegmentKind;
  /** Span into the segment's sanitised text (redactable findings only). */
  readonly span: Span | null;
  readonly segment: number;
}

type ActionOf = (p: GuardPolicy, f: Finding, kind: SegmentKind) => GuardAction | null;

/** null = the finding does not reach the detector's threshold. */
const ACTION_OF: { readonly [K in DetectorName]: ActionOf } = {
  injection: (p, f, kind) => {
    // An instruction planted in data: its own threshold, and the action for indirect content.
    if (f.type === OFF_TASK_TYPE)
      return f.score < p.injection.offTaskThreshold ? null : p.injection.indirectAction;
    const indirect = kind === 'indirect';
    const threshold = indirect ? p.injection.indirectThreshold : p.injection.threshold;
    if (f.score < threshold) return null;
    return indirect ? p.injection.indirectAction : p.injection.action;
  },
  pii: (p, f) => p.pii.entities[f.type as keyof GuardPolicy['pii']['entities']] ?? p.pii.action,
  secrets: (p, f) => p.secrets.types[f.type] ?? p.secrets.action,
  policy: (p) => p.policy.action,
};

export function decide(
  policy: GuardPolicy,
  findings: readonly Finding[],
  kind: SegmentKind,
  segment: number,
): Decision[] {
  const out: Decision[] = [];
  let strongestInjection: Finding | null = null;
  let offTask: Finding | null = null;
  for (const f of findings) {
    // The off-task signal has a threshold of its own: decided apart (the strongest of its findings).
    if (f.detector === 'injection' && f.type === OFF_TASK_TYPE) {
      if (offTask === null || f.score > offTask.score) offTask = f;
      continue;
    }
    // Injection findings (families and the classifier) are one decision per segment: the strongest.
    if (f.detector === 'injection') {
      if (strongestInjection === null || f.score > strongestInjection.score) strongestInjection = f;
      continue;
    }
    const action = ACTION_OF[f.detector](policy, f, kind);
    if (action === null || action === 'allow') continue;
    // Findings without a span (topics, decoded views without a span) cannot be cut out: flag instead.
    const effective = action === 'redact' && f.span === null ? 'flag' : action;
    out.push({
      detector: f.detector,
      type: f.type,
      score: f.score,
      action: effective,
      kind,
      span: f.span,
      segment,
    });
  }
  if (offTask !== null) {
    const action = ACTION_OF.injection(policy, offTask, kind);
    if (action !== null && action !== 'allow')
      out.push({
        detector: 'injection',
        type: OFF_TASK_TYPE,
        score: offTask.score,
        action: action === 'redact' ? 'flag' : action,
        // Data inside the segment, whoever sent it: refused as indirect injection.
        kind: 'indirect',
        span: null,
        segment,
      });
  }
  if (strongestInjection !== null) {
    const action = ACTION_OF.injection(policy, strongestInjection, kind);
    if (action !== null && action !== 'allow') {
      out.push({
        detector: 'injection',
        type: strongestInjection.type,
        score: strongestInjection.score,
        action: action === 'redact' ? 'flag' : action,
        kind,
        span: null,
        segment,
      });
    }
  }
  return out;
}

/** The error code of a block by each detector (injection's depends on where the text came from). */
const BLOCK_CODE: { readonly [K in DetectorName]: (kind: SegmentKind) => ErrorCode } = {
  injection: (kind) => (kind === 'indirect' ? 'GH_ERR_GUARD_INDIRECT_INJECTION' : 'GH_ERR_GUARD_INJECTION'),
  secrets: () => 'GH_ERR_GUARD_SECRET',
  pii: () => 'GH_ERR_GUARD_PII',
  policy: () => 'GH_ERR_GUARD_POLICY',
};

/** The code of a blocking decision. */
export function blockCode(d: Decision): ErrorCode {
  return BLOCK_CODE[d.detector](d.kind);
}

/** When several decisions block, the first in this order names the error. */
const BLOCK_ORDER: { readonly [K in DetectorName]: number } = { injection: 0, secrets: 1, pii: 2, policy: 3 };

export function firstBlock(decisions: readonly Decision[]): Decision | null {
  let best: Decision | null = null;
  for (const d of decisions) {
    if (d.action !== 'block') continue;
    if (best === null || BLOCK_ORDER[d.detector] < BLOCK_ORDER[best.detector]) best = d;
  }
  return best;
}
