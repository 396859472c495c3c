/**
 * The scanning engine: sanitise a text once, fold it lazily once, run the given detectors over it and
 * over its bounded decoded views. Pure and synchronous; the input and output stages (and the
 * evaluation CLI) all go through `scanText`.
 */
import { DEFAULT_DECODE_LIMITS, type DecodeLimits, decodeViews } from './decode.js';
import { createScanBudget } from './detectors/pii-phone.js';
import { fold, sanitise } from './normalise.js';
import type { Detector, Finding, ScanBudget, ScanInput, SegmentKind } from './types.js';

export { createScanBudget };

export interface ScanLimits {
  readonly decode: DecodeLimits;
  /** Longer texts are scanned on a head and a tail window of half this size each. */
  readonly maxScanChars: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = { decode: DEFAULT_DECODE_LIMITS, maxScanChars: 200_000 };

export interface TextScan {
  /** The sanitised text; every span points into it. */
  readonly text: string;
  readonly findings: Finding[];
}

function input(text: string, kind: SegmentKind, budget: ScanBudget, task: string | undefined): ScanInput {
  let folded: string | null = null;
  return {
    text,
    kind,
    budget,
    folded: () => (folded ??= fold(text)),
    ...(task === undefined ? {} : { task }),
  };
}

function run(detectors: readonly Detector[], inp: ScanInput, offset: number): Finding[] {
  const out: Finding[] = [];
  for (const d of detectors) {
    for (const f of d.detect(inp)) {
      out.push(
        offset === 0 || f.span === null
          ? f
          : { ...f, span: { start: f.span.start + offset, end: f.span.end + offset } },
      );
    }
  }
  return out;
}

/**
 * Scans `raw` (already-sanitised input is fine: sanitising is idempotent). Pass one `budget` for all
 * the texts of a request (the input stage does), so that capped validators are capped per request;
 * without one, the text gets a budget of its own.
 */
export function scanText(
  raw: string,
  kind: SegmentKind,
  detectors: readonly Detector[],
  limits: ScanLimits = DEFAULT_SCAN_LIMITS,
  budget: ScanBudget = createScanBudget(),
  /** The user's request, for data segments (ScanInput.task). */
  task?: string,
): TextScan {
  const text = sanitise(raw);
  const findings: Finding[] = [];
  if (text.length <= limits.maxScanChars) {
    findings.push(...run(detectors, input(text, kind, budget, task), 0));
  } else {
    const half = Math.floor(limits.maxScanChars / 2);
    findings.push(...run(detectors, input(text.slice(0, half), kind, budget, task), 0));
    findings.push(...run(detectors, input(text.slice(-half), kind, budget, task), text.length - half));
  }
  const window = text.length <= limits.maxScanChars ? text : text.slice(0, limits.maxScanChars);
  for (const view of decodeViews(window, raw, limits.decode)) {
    for (const f of run(detectors, input(sanitise(view.text), kind, budget, task), 0)) {
      findings.push({ ...f, span: f.span === null ? null : view.span, via: view.kind });
    }
  }
  return { text, findings };
}
