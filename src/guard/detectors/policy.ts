/**
 * Content policy: per-route denied topics (operator phrase lists), denied harm categories (the
 * built-in harmful-intent classifier, harm.ts) and denied patterns (operator regular expressions). Every operator-supplied expression is compiled with re2js, a linear-time
 * engine without back-references or look-around, so a pathological pattern such as `(a+)+$` cannot
 * stall the gateway; invalid patterns fail at boot. Topics match the folded text (homoglyphs,
 * leetspeak and spacing tricks undone), patterns the sanitised text.
 */
import { RE2JS } from 're2js';
import type { HarmCategory } from '../../formats/guard-names.js';
import { fold } from '../normalise.js';
import type { Detector, Finding, ScanInput } from '../types.js';
import { compileHarmLexicon, harmSignals } from './harm.js';

export interface PolicyOptions {
  readonly deniedTopics: Readonly<Record<string, readonly string[]>>;
  readonly deniedPatterns: readonly string[];
  /** Harmful-intent categories refused (harm.ts); empty: the classifier does not run here. */
  readonly deniedHarm?: readonly HarmCategory[];
}

/**
 * Category score at or above which a text asks for the harm (0.7: a term a request cue reaches;
 * a bare mention scores 0.4 and passes, so a novel's villain or a news passage is not refused).
 */
export const HARM_THRESHOLD = 0.7;

function escapeRe(phrase: string): string {
  return phrase.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * Compiles an operator pattern or throws a readable boot error. Case-sensitive unless the pattern
 * says `(?i)`: re2js's case folding makes a scan about eight times slower, so it is opt-in.
 */
export function compileOperatorPattern(src: string): RE2JS {
  try {
    return RE2JS.compile(src, RE2JS.MULTILINE);
  } catch (err) {
    throw new Error(`guard: denied pattern is not a valid RE2 expression: ${(err as Error).message}`);
  }
}

export function createPolicyDetector(opts: PolicyOptions): Detector {
  const topics = Object.entries(opts.deniedTopics).map(([name, phrases]) => ({
    name,
    // Phrases are literals, not patterns: escaped and folded like the text, joined with one space
    // (fold() collapses whitespace runs). An alternation of escaped literals has no quantifier to
    // backtrack on, so the built-in engine is safe here and much faster than re2js.
    re: new RegExp(
      `\\b(?:${phrases.map((p) => escapeRe(fold(p.trim())).replace(/\s+/g, ' ')).join('|')})\\b`,
    ),
  }));
  const denied = new Set(opts.deniedHarm ?? []);
  const harm = denied.size > 0 ? compileHarmLexicon() : null;
  const patterns = opts.deniedPatterns.map((src, i) => ({
    name: `pattern_${i}`,
    re: compileOperatorPattern(src),
  }));

  const detect = (input: ScanInput): Finding[] => {
    const out: Finding[] = [];
    if (topics.length > 0) {
      const folded = input.folded();
      for (const t of topics)
        if (t.re.test(folded))
          out.push({ detector: 'policy', type: `topic:${t.name}`, score: 1, span: null });
    }
    if (harm !== null)
      for (const [category, score] of harmSignals(harm, input.folded()).categories)
        if (denied.has(category) && score >= HARM_THRESHOLD)
          out.push({ detector: 'policy', type: `harm:${category}`, score, span: null });
    for (const p of patterns) {
      const m = p.re.matcher(input.text);
      if (m.find())
        out.push({
          detector: 'policy',
          type: `pattern:${p.name}`,
          score: 1,
          span: { start: m.start(), end: m.end() },
        });
    }
    return out;
  };
  return { name: 'policy', detect };
}
