import type { GuardConfig } from '../config/schema/guard.js';
import type { ScanFamily, TextScanner } from '../pipeline/text-scanner.js';
import { DEFAULT_SCAN_LIMITS, type ScanLimits, scanText } from './engine.js';
import { createRedactionMap, redactSpans } from './redact.js';
import { DETECTORS } from './registry.js';
import type { Detector } from './types.js';

/**
 * The `TEXT_SCANNER` service (src/pipeline/text-scanner.ts): the shared injection, PII and secret
 * detectors through the same engine as the input stage (sanitising, bounded decoded views).
 * Injection findings below the caller's threshold are not hits.
 */
export function createTextScanner(cfg: GuardConfig, limits: ScanLimits = DEFAULT_SCAN_LIMITS): TextScanner {
  const detectors: Detector[] = [];
  for (const name of ['injection', 'pii', 'secrets'] as const) {
    const f = DETECTORS[name];
    if (f.scope === 'shared') detectors.push(f.create(cfg));
  }
  return {
    scan(text, { kind, redact, injectionThreshold }) {
      const s = scanText(text, kind, detectors, limits);
      const hits = s.findings
        .filter((f) => f.detector !== 'injection' || f.score >= injectionThreshold)
        .map((f) => ({ family: f.detector as ScanFamily, type: f.type, score: f.score }));
      const want = new Set<string>(redact);
      const spans = s.findings.flatMap((f) =>
        f.span !== null && want.has(f.detector) ? [{ span: f.span, type: f.type }] : [],
      );
      return { hits, redacted: spans.length === 0 ? text : redactSpans(s.text, spans, createRedactionMap()) };
    },
  };
}
