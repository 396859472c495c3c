/**
 * The reusable API for the output side (issue 6): scan any text with the PII and secrets detectors
 * through the same engine as the input stage (sanitising, bounded decoding), and put the request's
 * input placeholders back. Spans point into the sanitised text returned with the findings.
 */
import type { GuardConfig } from '../config/schema/guard.js';
import { guardSchema } from '../config/schema/guard.js';
import { DEFAULT_SCAN_LIMITS, type ScanLimits, scanText, type TextScan } from './engine.js';
import {
  createRedactionMap,
  createStreamRestorer,
  type RedactionMap,
  redactSpans,
  restorePlaceholders,
} from './redact.js';
import { DETECTORS } from './registry.js';
import type { Detector, GuardAction } from './types.js';

export interface OutputScanner {
  /** PII and secret findings in `text` (decoded views included). */
  scan(text: string): TextScan;
  /** `text` with the findings whose action is `redact` replaced by typed placeholders. */
  redact(text: string, actionOf: (type: string) => GuardAction, map?: RedactionMap): string;
  /** Puts the request's input placeholders back (`ctx.redactions`). */
  restore(text: string, map: RedactionMap | undefined): string;
  /** The same for a stream of text deltas; holds back a placeholder cut between two deltas. */
  streamRestorer(map: RedactionMap | undefined): { push(delta: string): string; end(): string };
}

export function createOutputScanner(
  cfg: GuardConfig = guardSchema.parse({}),
  limits: ScanLimits = DEFAULT_SCAN_LIMITS,
): OutputScanner {
  const detectors: Detector[] = [];
  for (const name of ['pii', 'secrets'] as const) {
    const f = DETECTORS[name];
    if (f.scope === 'shared') detectors.push(f.create(cfg));
  }
  const scan = (text: string): TextScan => scanText(text, 'user', detectors, limits);
  return {
    scan,
    redact(text, actionOf, map = createRedactionMap()) {
      const s = scan(text);
      const spans = s.findings.flatMap((f) =>
        f.span !== null && actionOf(f.type) === 'redact' ? [{ span: f.span, type: f.type }] : [],
      );
      return redactSpans(s.text, spans, map);
    },
    restore: (text, map) => (map === undefined ? text : restorePlaceholders(text, map)),
    streamRestorer: (map) =>
      map === undefined ? { push: (d) => d, end: () => '' } : createStreamRestorer(map),
  };
}
