import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSecretsDetector } from '../../../src/guard/detectors/secrets.js';
import { CONTEXT_PATTERNS } from '../../../src/guard/detectors/secrets-context.js';
import { compileSecretsPrefilter, scanSecrets } from '../../../src/guard/detectors/secrets-prefilter.js';
import { SECRET_RULES } from '../../../src/guard/detectors/secrets-rules.js';
import { loadVendoredRules } from '../../../src/guard/detectors/secrets-vendored.js';
import { compileLiterals, scanLiterals } from '../../../src/guard/literal-scan.js';
import { sanitise } from '../../../src/guard/normalise.js';
import { MAY_MATCH, mayMatch } from '../../../src/guard/prefilter.js';
import { requiredLiterals } from '../../../src/guard/required-literals.js';
import { scan } from './helpers.js';

const rows = (file: string): Array<{ text: string; label: number }> =>
  readFileSync(new URL(`../../../../shared/datasets/${file}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { text: string; label: number });
const DEV = [...rows('secrets-dev.jsonl'), ...rows('pii-dev.jsonl')].map((r) => r.text);

// Every regex the secrets prefilter gates: our provider rules and the context finders.
const PATTERNS: readonly RegExp[] = [...SECRET_RULES.map((r) => r.re), ...CONTEXT_PATTERNS];

/**
 * Seeded random strings that match `re`, from fast-check's `stringMatching` (which reads neither
 * look-behinds, `\b` nor the `i` flag: they are dropped, and callers check the original regex).
 */
function examples(re: RegExp, n: number, seed: number): string[] {
  const src = re.source.replace(/\(\?<?[=!](?:[^()[\]]|\[[^\]]*\])*\)/g, '').replace(/\\b/g, '');
  return fc.sample(fc.stringMatching(new RegExp(src, re.flags.replace(/[gi]/g, ''))), { numRuns: n, seed });
}

/** Each generated example, put in a sentence the way a user pastes a key (and upper-cased). */
const EXAMPLES: string[] = PATTERNS.flatMap((re, i) =>
  examples(re, 20, i + 1).flatMap((s) => [
    `here it is: ${s} thanks`,
    ` ${s}\n`,
    `KEY ${s.toUpperCase()} END`,
  ]),
);

describe('literal scan (one pass, ASCII case-insensitive)', () => {
  it('finds exactly what a naive search of text.toLowerCase() finds, with every position', () => {
    const alphabet = ['a', 'b', 'A', 'B', '-', ' ', 'é', '\u0130', '\u212a', 'k', 'i', '\n'];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...alphabet), { maxLength: 60 }).map((cs) => cs.join('')),
        fc.uniqueArray(
          fc
            .array(fc.constantFrom('a', 'b', '-', 'k', 'i'), { minLength: 1, maxLength: 4 })
            .map((cs) => cs.join('')),
          { minLength: 1, maxLength: 8 },
        ),
        (text, literals) => {
          const a = compileLiterals(literals, () => true);
          const hits = scanLiterals(a, text);
          const lower = text.toLowerCase();
          literals.forEach((lit, id) => {
            const want: number[] = [];
            for (let i = lower.indexOf(lit); i >= 0; i = lower.indexOf(lit, i + 1)) want.push(i);
            expect(hits.present[id] === 1, `${lit} in ${JSON.stringify(text)}`).toBe(want.length > 0);
            expect(hits.positions.get(id) ?? []).toEqual(want);
          });
        },
      ),
      { numRuns: 2000, seed: 13 },
    );
  });
});

describe('required literals of a regex', () => {
  it.each([
    [/abc/, ['abc']],
    [/(?<![a-z])AKIA[A-Z0-9]{16}/g, ['akia']],
    [/(?:ghp|gho)_[A-Za-z0-9]{36}/, ['gho_', 'ghp_']],
    [/x?yz/, ['yz']],
    [/[Rr]ue \d+/, ['rue ']],
    [/a.b/, ['a', 'b']],
    [/\bcurl\b[^\n]{0,400}?\s(?:-u|--user)/, ['curl']],
    [/(?:password|pwd)\s*=\s*(\S+)/i, ['password', 'pwd']],
    [/credentials?=/, ['credential=', 'credentials=']],
    [/ab|c*/, null],
    [/[^a]+/, null],
    [/\d{3}-\d{4}/, ['-']],
  ])('%s', (re, want) => {
    const got = requiredLiterals(re);
    if (want === null) expect(got).toBeNull();
    // `a.b` keeps one side; either is required.
    else if (want.length === 2 && want[0] === 'a' && want[1] === 'b') expect(['a', 'b']).toContain(got?.[0]);
    else expect(got).toEqual(want);
  });

  it('never claims a literal that a match of a gated pattern lacks (generated examples)', () => {
    let matched = 0;
    for (const re of PATTERNS) {
      const lits = requiredLiterals(re);
      const one = new RegExp(re.source, re.flags.replace('g', ''));
      for (const s of examples(re, 60, 7)) {
        for (const text of [` ${s} `, `\n${s}\n`, s.toUpperCase(), s.toLowerCase()]) {
          const m = one.exec(text);
          if (m === null) continue;
          matched++;
          if (lits === null) continue;
          const lower = m[0].toLowerCase();
          expect(
            lits.some((l) => lower.includes(l)),
            `${re} matched ${JSON.stringify(m[0])} without any of ${lits}`,
          ).toBe(true);
        }
      }
    }
    // The generator must actually produce matches for most patterns, or this proves nothing.
    expect(matched).toBeGreaterThan(PATTERNS.length * 60);
  });
});

describe('secrets detector: the prefilter drops nothing', () => {
  const base = { allowlist: [], keywordEntropy: true, publicIp: true };
  const cases: Array<[string, boolean]> = [
    ['input guard (gated)', true],
    ['output guard (no gate)', false],
  ];
  it.each(cases)('%s: same findings as every pattern on every text', (_, gate) => {
    const fast = createSecretsDetector({ ...base, gate });
    const slow = createSecretsDetector({ ...base, gate, literalPrefilter: false });
    let positives = 0;
    for (const raw of [...DEV, ...EXAMPLES]) {
      const text = sanitise(raw);
      const want = scan(slow, text);
      if (want.length > 0) positives++;
      expect(scan(fast, text), text.slice(0, 200)).toEqual(want);
    }
    expect(positives).toBeGreaterThan(300);
  });

  it('the gate inside the scan is prefilter.ts mayMatch, exactly', () => {
    const p = compileSecretsPrefilter(PATTERNS, loadVendoredRules());
    // The gate as it was written before it was split into parts.
    const ORIGINAL =
      /[0-9@_=+/\\:;$%&#*~|<>^[\]{}-]|[^\s]{12,}|pass|pwd|secret|token|key|credential|bearer|basic|auth|private|ssn|social|sig=/i;
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      expect(MAY_MATCH.test(ch)).toBe(ORIGINAL.test(ch));
      // Every character as a run breaker (or not) between two runs of six: white space as `\s` has it.
      const run = `vvvvvv${ch}vvvvvv`;
      if (scanSecrets(p, run).mayMatch !== ORIGINAL.test(run)) expect(c.toString(16)).toBe('');
    }
    const check = (text: string): void => {
      expect(scanSecrets(p, text).mayMatch, JSON.stringify(text)).toBe(ORIGINAL.test(text));
      expect(mayMatch(text)).toBe(ORIGINAL.test(text));
    };
    for (const t of [...DEV, ...EXAMPLES]) check(t);
    fc.assert(
      fc.property(
        fc
          .array(
            fc.constantFrom('a', 'P', 'ass', 'Secret', ' ', '\u00a0', '\u2003', 'x', ';', 'İ', 'K', 'é', '7'),
            {
              maxLength: 30,
            },
          )
          .map((cs) => cs.join('')),
        check,
      ),
      { numRuns: 3000, seed: 5 },
    );
  });
});
