import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jaccard, NEAR_DUP_JACCARD, normaliseText, shingles } from '../../../scripts/injection-groups.js';
import { syntheticRows } from '../../../scripts/injection-synthetic.js';
import { loadRows } from '../../../scripts/injection-train-lib.js';
import { createInjectionDetector } from '../../../src/guard/detectors/injection.js';
import { SIGNATURES } from '../../../src/guard/detectors/injection-signatures.js';
import { fold, sanitise } from '../../../src/guard/normalise.js';
import { maxScore, scan } from './helpers.js';
import { SIGNATURE_EXAMPLES } from './injection-signature-examples.js';

const DEV = ['injection-dev.jsonl', 'injection-dev-more.jsonl'].map((f) =>
  fileURLToPath(new URL(`../../../../shared/datasets/${f}`, import.meta.url)),
);
const haveDev = DEV.every((p) => existsSync(p));
/** Narrow signatures (1-2 dev matches) kept on purpose: translations of a broad signature. */
const KEPT_NARROW = new Set(['override-german', 'override-romance']);

describe('injection signatures: provenance and tests', () => {
  it('every signature has a unique id and a provenance note', () => {
    const ids = SIGNATURES.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of SIGNATURES) expect(s.provenance.length, s.id).toBeGreaterThanOrEqual(20);
  });

  it('every signature has an example of its own, and every example a signature', () => {
    expect(Object.keys(SIGNATURE_EXAMPLES).sort()).toEqual(SIGNATURES.map((s) => s.id).sort());
  });

  it.each(SIGNATURES.map((s) => [s.id, s] as const))('%s matches its example', (id, sig) => {
    const text = SIGNATURE_EXAMPLES[id] ?? '';
    expect(sig.re.test(fold(sanitise(text)))).toBe(true);
  });

  it('each example is flagged by the detector through its word gate, classifier off', () => {
    const detector = createInjectionDetector({ classifier: false });
    for (const s of SIGNATURES) {
      const findings = scan(detector, SIGNATURE_EXAMPLES[s.id] ?? '', s.indirectOnly ? 'indirect' : 'user');
      expect(maxScore(findings), s.id).toBeGreaterThanOrEqual(0.5);
    }
  });

  it('no example is a synthetic training row', () => {
    const synth = new Set(syntheticRows(20).map((r) => normaliseText(r.text)));
    for (const text of Object.values(SIGNATURE_EXAMPLES)) expect(synth.has(normaliseText(text))).toBe(false);
  });

  it.skipIf(!haveDev)('no example is a dev row or a near-duplicate of one', () => {
    const dev = loadRows(DEV).map((r) => shingles(r.text));
    for (const [id, text] of Object.entries(SIGNATURE_EXAMPLES)) {
      const mine = shingles(text);
      const worst = dev.reduce((m, d) => Math.max(m, jaccard(mine, d)), 0);
      expect(worst, id).toBeLessThan(NEAR_DUP_JACCARD);
    }
  });

  it.skipIf(!haveDev)(
    'no phrase-tuned signature: each matches 0 or at least 3 dev rows (or is listed)',
    () => {
      const rows = loadRows(DEV).map((r) => fold(sanitise(r.text)));
      for (const s of SIGNATURES) {
        if (s.indirectOnly) continue;
        const n = rows.filter((t) => s.re.test(t)).length;
        if (n === 1 || n === 2) expect(KEPT_NARROW.has(s.id), `${s.id} matches ${n} dev rows`).toBe(true);
      }
    },
  );
});
