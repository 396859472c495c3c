/**
 * One request's text scanner: the route's detectors plus the request's own (canary, its system
 * prompt, its placeholders), each finding turned into a hit with the route's action. Overlapping
 * span hits collapse to one (the strongest action wins), so a card number that is also a phone number
 * is redacted once.
 */
import type { OutputAction, OutputPolicy } from '../../config/schema/output-guard.js';
import { findPlaceholders } from './placeholders.js';
import { prepare } from './prepared.js';
import type { Hit, OutputFinding, TextDetector } from './types.js';

const RANK: Readonly<Record<Hit['action'], number>> = { restore: 0, allow: 1, flag: 2, redact: 3, block: 4 };

export interface RequestScanner {
  /** Hits sorted by start; span hits do not overlap. */
  scan(text: string): Hit[];
  /** Earliest offset that detectors say may still be part of a match in progress. */
  openFrom(text: string): number;
}

export function actionFor(policy: OutputPolicy, f: OutputFinding): OutputAction {
  const d = policy.detectors;
  switch (f.detector) {
    case 'pii':
      return d.pii.types[f.type] ?? d.pii.action;
    case 'secrets':
      return d.secrets.types[f.type] ?? d.secrets.action;
    case 'canary':
      return d.canary.action;
    case 'similarity':
      return d.similarity.action;
    case 'injection':
      return d.injection.action;
    case 'format':
      return policy.format.action;
    case 'tools':
      return policy.tools.unoffered;
  }
}

export function createRequestScanner(
  policy: OutputPolicy,
  detectors: readonly TextDetector[],
  placeholders: ReadonlyMap<string, string> | null,
  /** Detectors skipped on text this test rejects (the engine's PII and secrets on plain prose). */
  gate: {
    readonly detectors: ReadonlySet<TextDetector>;
    readonly test: (text: string) => boolean;
  } | null = null,
): RequestScanner {
  // Bound to their detector (a detector may be an object whose method reads `this`).
  const open = detectors.flatMap((d) => {
    const from = d.openFrom;
    return from === undefined ? [] : [(text: string) => from.call(d, text)];
  });
  const scan = (text: string): Hit[] => {
    const p = prepare(text);
    const hits: Hit[] = [];
    const skip = gate !== null && !gate.test(text);
    for (const d of detectors) {
      if (skip && gate.detectors.has(d)) continue;
      for (const f of d.scan(p)) {
        const action = actionFor(policy, f);
        if (action === 'redact' && f.whole) continue;
        hits.push({ ...f, action, replacement: `[REDACTED_${f.type}]` });
      }
    }
    if (placeholders !== null)
      for (const ph of findPlaceholders(text, placeholders))
        hits.push({ ...ph, detector: 'placeholder', action: 'restore', replacement: ph.value });
    return resolve(hits);
  };
  const openFrom = (text: string): number => {
    let at = text.length;
    for (const from of open) at = Math.min(at, from(text));
    return at;
  };
  return { scan, openFrom };
}

/** Whether the hit rewrites text (the others are verdicts only). */
export function rewrites(h: Hit): boolean {
  return !h.whole && (h.action === 'redact' || h.action === 'restore');
}

/** Sorted by start; overlapping rewriting hits merged into the strongest one, widened to cover both. */
function resolve(hits: Hit[]): Hit[] {
  if (hits.length < 2) return hits;
  hits.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Hit[] = [];
  let last: Hit | null = null;
  for (const h of hits) {
    if (!rewrites(h) || last === null || h.start >= last.end) {
      out.push(h);
      if (rewrites(h)) last = h;
      continue;
    }
    if (RANK[h.action] > RANK[last.action]) {
      const merged: Hit = { ...h, start: last.start, end: Math.max(last.end, h.end) };
      out[out.lastIndexOf(last)] = merged;
      last = merged;
    } else last.end = Math.max(last.end, h.end);
  }
  return out;
}
