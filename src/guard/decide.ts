/**
 * From findings to decisions: the route's action for each finding (per detector, per entity type),
 * injection thresholds per segment kind, and the error code a block maps to.
 */
import type { ErrorCode } from '../errors/catalog.js';
import type { GuardPolicy } from './policy-defaults.js';
import type { Finding, GuardAction, SegmentKind, Span } from './types.js';

export interface Decision {
  readonly detector: string;
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
const ACTION_OF: Readonly<Record<Finding['detector'], ActionOf>> = {
  injection: (p, f, kind) => {
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
  for (const f of findings) {
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

/** The code of a blocking decision; the first in this order wins when several block. */
export function blockCode(d: Decision): ErrorCode {
  if (d.detector === 'injection')
    return d.kind === 'indirect' ? 'GH_ERR_GUARD_INDIRECT_INJECTION' : 'GH_ERR_GUARD_INJECTION';
  if (d.detector === 'secrets') return 'GH_ERR_GUARD_SECRET';
  if (d.detector === 'pii') return 'GH_ERR_GUARD_PII';
  return 'GH_ERR_GUARD_POLICY';
}

const BLOCK_ORDER: Readonly<Record<string, number>> = { injection: 0, secrets: 1, pii: 2, policy: 3 };

export function firstBlock(decisions: readonly Decision[]): Decision | null {
  let best: Decision | null = null;
  for (const d of decisions) {
    if (d.action !== 'block') continue;
    if (best === null || (BLOCK_ORDER[d.detector] ?? 9) < (BLOCK_ORDER[best.detector] ?? 9)) best = d;
  }
  return best;
}
