/**
 * The secrets detector's one pass (issue 13): a single Aho-Corasick scan (literal-scan.ts) over the
 * text yields, at once,
 *
 * - the plain-prose gate of prefilter.ts (`mayMatch`), exactly: its symbols and its long run from the
 *   scan's character flags, its keywords as literals;
 * - every position of gitleaks' keywords (what secrets-vendored.ts's rules are gated on, as in
 *   gitleaks), so only the rules whose keyword occurs are looked at;
 * - for each of our own provider rules (secrets-rules.ts) and context finders (secrets-context.ts),
 *   whether a literal that every match of it contains occurs (required-literals.ts); a pattern with
 *   none derivable always runs.
 *
 * Before this, the gate was defeated by any digit or `;` in prose, and then all ~70 own rules, the
 * context patterns and a per-rule walk of ~210 gitleaks rules ran on every text.
 */
import { compileLiterals, type LiteralAutomaton, type LiteralHits, scanLiterals } from '../literal-scan.js';
import { MAY_MATCH, MAY_MATCH_KEYWORDS, MAY_MATCH_RUN, MAY_MATCH_SYMBOLS } from '../prefilter.js';
import { requiredLiterals } from '../required-literals.js';
import type { VendoredRules } from './secrets-vendored.js';

const SYMBOL = 1;
const DIGIT = 2;

export interface SecretsPrefilter {
  readonly automaton: LiteralAutomaton;
  /** Literal ids per pattern, by the pattern's regex; a pattern absent here always runs. */
  readonly byPattern: ReadonlyMap<RegExp, Int32Array>;
  readonly gateIds: Int32Array;
  /** Literal id of each gitleaks keyword. */
  readonly keywordIds: ReadonlyMap<string, number>;
}

export function compileSecretsPrefilter(
  patterns: readonly RegExp[],
  vendored: VendoredRules | null,
): SecretsPrefilter {
  const ids = new Map<string, number>();
  const id = (lit: string): number => {
    let k = ids.get(lit);
    if (k === undefined) ids.set(lit, (k = ids.size));
    return k;
  };
  const keywordIds = new Map<string, number>();
  if (vendored !== null) for (const r of vendored.rules) for (const k of r.keywords) keywordIds.set(k, id(k));
  const byPattern = new Map<RegExp, Int32Array>();
  for (const re of patterns) {
    const lits = requiredLiterals(re);
    if (lits !== null) byPattern.set(re, Int32Array.from(lits, id));
  }
  const gateIds = Int32Array.from(MAY_MATCH_KEYWORDS, id);
  const flags = new Uint8Array(128);
  for (const c of MAY_MATCH_SYMBOLS) flags[c.charCodeAt(0)] = SYMBOL;
  for (let c = 48; c <= 57; c++) flags[c] = SYMBOL | DIGIT;
  const positional = new Set(keywordIds.values());
  const automaton = compileLiterals([...ids.keys()], (_, k) => positional.has(k), flags);
  return { automaton, byPattern, gateIds, keywordIds };
}

export interface SecretsScan {
  /** prefilter.ts's `mayMatch(text)`. */
  readonly mayMatch: boolean;
  /** The text has an ASCII digit. */
  readonly digit: boolean;
  /** False when no literal that every match of `re` contains occurs in the text. */
  mayRun(re: RegExp): boolean;
  /** Start offsets of a gitleaks keyword in `text.toLowerCase()` (as gitleaks looks for them). */
  keywordAt(keyword: string): readonly number[] | undefined;
  /** The gitleaks keywords that occur. */
  readonly keywords: readonly string[];
}

function any(present: Uint8Array, ids: Int32Array): boolean {
  for (let i = 0; i < ids.length; i++) if (present[ids[i] as number] === 1) return true;
  return false;
}

export function scanSecrets(p: SecretsPrefilter, text: string): SecretsScan {
  const hits: LiteralHits = scanLiterals(p.automaton, text);
  const { present } = hits;
  // The fallback scan of text.toLowerCase() (literal-scan.ts) has other run lengths: ask the regex.
  const mayMatch =
    hits.scanned !== text
      ? MAY_MATCH.test(text)
      : (hits.mask & SYMBOL) !== 0 || hits.longestRun >= MAY_MATCH_RUN || any(present, p.gateIds);
  return {
    mayMatch,
    // Lower-casing never makes or removes an ASCII digit: the fallback scan's mask holds.
    digit: (hits.mask & DIGIT) !== 0,
    mayRun: (re) => {
      const ids = p.byPattern.get(re);
      return ids === undefined || any(present, ids);
    },
    keywordAt: (k) => {
      const i = p.keywordIds.get(k);
      return i === undefined ? undefined : hits.positions.get(i);
    },
    // Only the keywords' literals record positions.
    keywords: Array.from(hits.positions.keys(), (i) => p.automaton.literals[i] as string),
  };
}
