/**
 * Instruction echo: an answer that restates the protected system prompt's rules in its own words,
 * without the secret and without a long verbatim passage (which similarity.ts catches): "My
 * instructions are to act as a vault guard; I only say Access Granted when someone enters the right
 * password, and I must never reveal it." That is the system-prompt leak OWASP LLM07 describes
 * (disclosure of the prompt's rules and guardrails, not only of secrets in it), and the shape the
 * prompt-extraction attacks of Perez & Ribeiro 2022 and Tensor Trust (Toyer et al. 2023) draw out.
 *
 * Each sentence of the system prompt with at least MIN_RULE_STEMS content words is a rule, kept as
 * the set of its word stems. A sentence of the answer echoes a rule when it reads like a rule or a
 * statement about one's own instructions (never, must, only, instructions, told, allowed, …) or a
 * restated role or reply (I am, my job, answer, say), and shares at least MIN_SHARED stems and
 * `minOverlap` of that rule's stems. An answer leaks when it echoes `minSentences` distinct rules, or
 * one long rule (≥ 5 stems) almost whole (`STRONG_OVERLAP`) in a sentence that states a constraint
 * (an introduction, "I am the billing assistant of Acme", is not one). One pass over the words of each
 * sentence, Set lookups only.
 */
import { contentStems } from '../detectors/off-task.js';

export interface RuleIndex {
  /** Stems of each rule sentence of the prompt. */
  readonly rules: ReadonlyArray<ReadonlySet<string>>;
  /** Every stem of every rule: an answer sentence sharing none is skipped at once. */
  readonly vocab: ReadonlySet<string>;
}

export interface EchoOptions {
  /** Distinct rules an answer must echo. */
  readonly minSentences: number;
  /** Share of a rule's stems an answer sentence must repeat. */
  readonly minOverlap: number;
}

const MIN_RULE_STEMS = 3;
const MIN_SHARED = 3;
/** One rule restated this completely (and at least LONG_RULE stems long) is enough alone. */
const STRONG_OVERLAP = 0.8;
const LONG_RULE = 5;
/** Rules indexed per prompt: a prompt is bounded by the input caps; this bounds the work per answer. */
const MAX_RULES = 400;

const words = (s: string): Set<string> => new Set(s.split(/\s+/).filter((w) => w !== ''));
/** Words of a sentence that states a rule (a constraint) or talks about one's own instructions. */
const CONSTRAINT = words(`never always must only should shall cannot cant not allowed forbidden
 prohibited refuse refuses unless whatever otherwise instruction instructions instructed told rule rules
 programmed designed supposed prompt guidelines`);
/**
 * A sentence where the speaker points at its own instructions ("my instructions say", "these are the
 * rules I follow", "I was told", "what I have been set up to do") opens a disclosure: the sentences
 * after it (a bulleted list, a paraphrase) are read as rules even without a constraint word, and one
 * restated rule of DISCLOSED_RULE stems at DISCLOSED_OVERLAP is enough.
 */
const SELF = words('i my me im ive mine');
const OWN_SETUP = words(`instruction instructions instructed told rules prompt programmed setup configured
 configuration guidelines`);
const DISCLOSED_OVERLAP = 0.6;
const DISCLOSED_RULE = 4;

function disclosure(w: readonly string[]): boolean {
  if (!w.some((x) => SELF.has(x))) return false;
  for (let i = 0; i < w.length; i++) {
    if (OWN_SETUP.has(w[i] ?? '')) return true;
    if (w[i] === 'set' && w[i + 1] === 'up') return true;
  }
  return false;
}

/** Words of a restated role or scripted reply: count with another rule, never alone. */
const IDENTITY = words('am im role job reply respond answer say');

interface Sentence {
  readonly start: number;
  readonly end: number;
  readonly words: string[];
}

const isWordCode = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c >= 0xc0;

/** Sentences with raw offsets, cut at . ! ? ; and line breaks; words lower-cased, apostrophes dropped. */
function sentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  let words: string[] = [];
  let start = -1;
  let end = 0;
  const flush = (): void => {
    if (words.length > 0) out.push({ start, end, words });
    words = [];
    start = -1;
  };
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isWordCode(c)) {
      let j = i + 1;
      while (
        j < text.length &&
        (isWordCode(text.charCodeAt(j)) ||
          ((text.charCodeAt(j) === 39 || text.charCodeAt(j) === 0x2019) &&
            isWordCode(text.charCodeAt(j + 1))))
      )
        j++;
      if (start < 0) start = i;
      words.push(
        text
          .slice(i, j)
          .toLowerCase()
          .replace(/['\u2019]/g, ''),
      );
      end = j;
      i = j;
      continue;
    }
    if (c === 10 || c === 33 || c === 63 || c === 59 || (c === 46 && !isWordCode(text.charCodeAt(i + 1))))
      flush();
    i++;
  }
  flush();
  return out;
}

export function indexRules(texts: readonly string[]): RuleIndex | null {
  const rules: Array<Set<string>> = [];
  const vocab = new Set<string>();
  for (const t of texts)
    for (const s of sentences(t.normalize('NFKC'))) {
      const st = contentStems(s.words);
      if (st.size < MIN_RULE_STEMS || rules.length >= MAX_RULES) continue;
      rules.push(st);
      for (const x of st) vocab.add(x);
    }
  return rules.length === 0 ? null : { rules, vocab };
}

export function mergeRules(list: ReadonlyArray<RuleIndex | null>): RuleIndex | null {
  const present = list.filter((x): x is RuleIndex => x !== null);
  if (present.length <= 1) return present[0] ?? null;
  return {
    rules: present.flatMap((p) => p.rules),
    vocab: new Set(present.flatMap((p) => [...p.vocab])),
  };
}

/** Echoed rules so far, fed sentence by sentence. */
class EchoState {
  readonly hit = new Set<number>();
  strong = false;
  /** A sentence so far pointed at the speaker's own instructions. */
  disclosed = false;
  start = -1;
  end = -1;
  constructor(
    private readonly index: RuleIndex,
    private readonly opts: EchoOptions,
  ) {}

  sentence(s: Sentence, offset: number): void {
    if (!this.disclosed && disclosure(s.words)) this.disclosed = true;
    const constraint = this.disclosed || s.words.some((w) => CONSTRAINT.has(w));
    // "I am the billing assistant of Acme" alone is an introduction, not a leak.
    if (!constraint && !s.words.some((w) => IDENTITY.has(w))) return;
    const mine = contentStems(s.words);
    let known = 0;
    for (const x of mine) if (this.index.vocab.has(x)) known++;
    if (known < MIN_SHARED) return;
    this.index.rules.forEach((r, k) => {
      let shared = 0;
      for (const x of r) if (mine.has(x)) shared++;
      const overlap = shared / r.size;
      if (shared < MIN_SHARED || overlap < this.opts.minOverlap) return;
      this.hit.add(k);
      if (constraint && overlap >= STRONG_OVERLAP && r.size >= LONG_RULE) this.strong = true;
      if (this.disclosed && overlap >= DISCLOSED_OVERLAP && r.size >= DISCLOSED_RULE) this.strong = true;
      if (this.start < 0) this.start = offset + s.start;
      this.end = Math.max(this.end, offset + s.end);
    });
  }

  leaked(): boolean {
    return this.hit.size >= this.opts.minSentences || this.strong;
  }
}

/** Whether a whole answer echoes the rules (the span runs from the first echoing sentence to the last). */
export function echoes(
  index: RuleIndex,
  text: string,
  opts: EchoOptions,
): { leaked: boolean; rules: number; start: number; end: number } {
  const st = new EchoState(index, opts);
  for (const s of sentences(text.normalize('NFKC'))) st.sentence(s, 0);
  return { leaked: st.leaked(), rules: st.hit.size, start: st.start, end: st.end };
}

/** Longest unfinished sentence carried between pieces of a stream before it is judged as it is. */
const MAX_CARRY = 2_000;

/**
 * The echo check over one whole answer, fed in order as text is released (like CoverageMeter): a
 * sentence is judged once it is complete, so the result does not depend on where a stream was cut,
 * and rules echoed far apart still add up.
 */
export class EchoMeter {
  private carry = '';
  private readonly state: EchoState;
  constructor(index: RuleIndex, opts: EchoOptions) {
    this.state = new EchoState(index, opts);
  }

  /** Feeds released text; true once the answer has echoed enough rules. */
  feed(text: string, final = false): boolean {
    const all = this.carry + text;
    let cut = all.length;
    if (!final && all.length <= MAX_CARRY) {
      cut = 0;
      for (let i = all.length - 1; i >= 0; i--) {
        const c = all.charCodeAt(i);
        if (c === 10 || c === 33 || c === 63 || c === 59 || c === 46) {
          cut = i + 1;
          break;
        }
      }
    }
    for (const s of sentences(all.slice(0, cut).normalize('NFKC'))) this.state.sentence(s, 0);
    this.carry = all.slice(cut);
    return this.state.leaked();
  }
}
