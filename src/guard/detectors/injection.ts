/**
 * Prompt injection and jailbreak: weighted signatures (injection-signatures.ts) and a linear
 * classifier over hashed n-grams (injection-model.ts, weights in models/injection.json, produced by
 * scripts/train-injection.ts). The classifier's probability is re-centred on its trained threshold so
 * that both halves share one scale on which 0.5 is "attack"; the route's thresholds (separate for
 * user content and for indirect content such as tool results) then apply to the larger of the two.
 */
import { fold } from '../normalise.js';
import type { Detector, Finding, ScanInput } from '../types.js';
import { type CharLm, loadCharLm } from './charlm.js';
import { compileHarmLexicon } from './harm.js';
import { MENTION_SCORE, quotedMention } from './injection-mention.js';
import { features, type InjectionModel, loadModel, score, structure } from './injection-model.js';
import { combine, dominantSignal, type SignalContext, signalVector } from './injection-signals.js';
import { SIGNATURES, type Signature } from './injection-signatures.js';
import {
  loadOffTaskModel,
  OFF_TASK_TYPE,
  type OffTaskModel,
  offTaskProbability,
  offTaskVector,
  type TaskContext,
  taskContext,
} from './off-task.js';

// Re-exported: the training scripts score signatures the way the detector does.
export { MENTION_SCORE, quotedMention };

export interface InjectionOptions {
  /** Path of the weights file; the shipped models/injection.json when absent. */
  readonly modelPath?: string;
  /** Turn the classifier off and keep the signatures (smallest cost). */
  readonly classifier: boolean;
  /** Path of the character LM (adversarial suffixes); the shipped models/charlm.json when absent. */
  readonly charLmPath?: string;
  /** Path of the off-task model (off-task.ts); the shipped models/off-task.json when absent. */
  readonly offTaskPath?: string;
}

const logit = (p: number): number => Math.log(p / (1 - p));
const clamp = (p: number): number => Math.min(1 - 1e-6, Math.max(1e-6, p));

/** Maps p to the 0.5-centred scale: p >= threshold <=> result >= 0.5. */
export function recentre(p: number, threshold: number): number {
  return 1 / (1 + Math.exp(-(logit(clamp(p)) - logit(clamp(threshold)))));
}

/** Index of the parenthesis closing the group that opens at `open`. */
function closing(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '\\') i++;
    else if (src[i] === '(') depth++;
    else if (src[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

function splitTop(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\') i++;
    else if (body[i] === '(') depth++;
    else if (body[i] === ')') depth--;
    else if (body[i] === '|' && depth === 0) {
      parts.push(body.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(body.slice(from));
  return parts;
}

/** After a leading word, `rest` cannot continue it: the word ends where the pattern's literal does. */
const endsWord = (rest: string): boolean =>
  rest === '' || rest.startsWith('\\s') || rest.startsWith('\\b') || rest.startsWith('\\W');

/** `(?:'s|\s+is)`: a group, not repeated or optional, whose every alternative begins with `'` or ends the word. */
function groupEndsWord(rest: string): boolean {
  if (!rest.startsWith('(?:')) return false;
  const end = closing(rest, 0);
  if (end < 0 || /^[?*{+]/.test(rest.slice(end + 1))) return false;
  return splitTop(rest.slice(3, end)).every((a) => a.startsWith("'") || (a !== '' && endsWord(a)));
}

/** The top-level alternatives of a pattern (a `|` inside a group or a class does not split). */
function splitTopLevel(src: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inClass = false;
  let from = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(src.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(src.slice(from));
  return parts;
}

/**
 * The words a signature's match must start with, read from its leading `\b(?:a|b|c)` group, or null
 * when that cannot be known (then the signature always runs). A signature whose first word is absent
 * from the text cannot match, so most of them are skipped without scanning.
 */
export function leadingWords(src: string): string[] | null {
  // `a...|b...` at the top level: a match starts with a leading word of either alternative.
  const top = splitTopLevel(src);
  if (top.length > 1) {
    const all: string[] = [];
    for (const alt of top) {
      const w = leadingWords(alt);
      if (w === null) return null;
      all.push(...w);
    }
    return all;
  }
  const s = src.startsWith('\\b') ? src.slice(2) : src;
  const alts = s.startsWith('(?:') ? splitTop(s.slice(3, closing(s, 0))) : [s];
  if (s.startsWith('(?:') && /^[?*{]/.test(s.slice(closing(s, 0) + 1))) return null;
  const words: string[] = [];
  for (const alt of alts) {
    // "don'?t" is the word "don" (from "don't") or "dont".
    const apo = /^([a-z]+)'\?([a-z]+)/.exec(alt);
    const word = /^[a-z0-9]+/.exec(alt);
    if (word === null) return null;
    if (apo !== null) words.push(`${apo[1]}${apo[2]}`);
    const next = alt.slice(apo === null ? word[0].length : apo[0].length);
    if (!(endsWord(next) || (apo === null && groupEndsWord(next)))) return null;
    words.push(word[0]);
  }
  return words;
}

const isWordChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c === 95;

interface Gated {
  readonly sig: Signature;
  /** null: no known first word, scan the whole text. */
  readonly words: readonly string[] | null;
  /** The same pattern, sticky: tried only where one of `words` starts. */
  readonly sticky: RegExp;
}

interface Wanted {
  /** Words by wordHash (see wordStarts): a word is confirmed only on a hash hit. */
  readonly byHash: ReadonlyMap<number, readonly string[]>;
  readonly maxLen: number;
}

const wordHash = (h: number, c: number): number => (Math.imul(h, 31) + c) | 0;

function wantedWords(words: readonly string[]): Wanted {
  const byHash = new Map<number, string[]>();
  for (const w of words) {
    let h = 0;
    for (let k = 0; k < w.length; k++) h = wordHash(h, w.charCodeAt(k));
    const same = byHash.get(h) ?? [];
    if (!same.includes(w)) byHash.set(h, [...same, w]);
  }
  return { byHash, maxLen: Math.max(0, ...words.map((w) => w.length)) };
}

const isAlnum = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);

/**
 * Start offsets of each word of the text that some signature begins with. A hand-written scan that
 * only slices words that could be wanted (first character, length): this runs on every request and
 * a regex iterator would allocate one match object per word.
 */
function wordStarts(folded: string, wanted: Wanted): Map<string, number[]> {
  const at = new Map<string, number[]>();
  let i = 0;
  const n = folded.length;
  while (i < n) {
    const c = folded.charCodeAt(i);
    if (!isAlnum(c)) {
      i++;
      continue;
    }
    // The word is hashed as it is read; it is sliced only when the hash names a wanted word.
    let h = wordHash(0, c);
    let j = i + 1;
    for (let d = folded.charCodeAt(j); j < n && isAlnum(d); d = folded.charCodeAt(++j)) h = wordHash(h, d);
    // A match of `\bword` needs a word boundary, which `_` or an upper-case letter would break.
    if (j - i <= wanted.maxLen && !(i > 0 && isWordChar(folded.charCodeAt(i - 1)))) {
      for (const w of wanted.byHash.get(h) ?? NONE) {
        if (w.length !== j - i || !folded.startsWith(w, i)) continue;
        const list = at.get(w);
        if (list === undefined) at.set(w, [i]);
        else list.push(i);
      }
    }
    i = j;
  }
  return at;
}
const NONE: readonly string[] = [];

export function createInjectionDetector(opts: InjectionOptions): Detector {
  const model: InjectionModel | null = opts.classifier ? loadModel(opts.modelPath) : null;
  const lm: CharLm | null = model?.combiner ? loadCharLm(opts.charLmPath) : null;
  const signals: SignalContext = { lm, harm: compileHarmLexicon() };
  const gated: Gated[] = SIGNATURES.map((sig) => ({
    sig,
    words: leadingWords(sig.re.source),
    sticky: new RegExp(sig.re.source, `${sig.re.flags}y`),
  }));
  const wanted = wantedWords([...new Set(gated.flatMap((g) => g.words ?? []))]);
  const offTask: OffTaskModel = loadOffTaskModel(opts.offTaskPath);
  // Every data segment of a request carries the same task string: its context is built once.
  let lastTask = '';
  let lastContext: TaskContext = taskContext('');
  const contextOf = (task: string): TaskContext => {
    if (task !== lastTask) {
      lastContext = taskContext(fold(task));
      lastTask = task;
    }
    return lastContext;
  };
  const detect = (input: ScanInput): Finding[] => {
    const folded = input.folded();
    const starts = wordStarts(folded, wanted);
    const best = new Map<string, number>();
    const indirect = input.kind === 'indirect';
    for (const { sig, words, sticky } of gated) {
      if ((best.get(sig.family) ?? 0) >= sig.weight || (sig.indirectOnly && !indirect)) continue;
      let hit = 0;
      if (words === null) {
        const m = sig.re.exec(folded);
        if (m !== null)
          hit = quotedMention(folded, m.index, m.index + m[0].length) ? MENTION_SCORE : sig.weight;
      } else {
        // The match must begin with one of the leading words: try the pattern only there.
        for (const w of words) {
          for (const pos of starts.get(w) ?? []) {
            sticky.lastIndex = pos;
            if (sticky.test(folded)) {
              hit = quotedMention(folded, pos, sticky.lastIndex) ? MENTION_SCORE : sig.weight;
              if (hit === sig.weight) break;
            }
          }
          if (hit === sig.weight) break;
        }
      }
      if (hit > (best.get(sig.family) ?? 0)) best.set(sig.family, hit);
    }
    const out: Finding[] = [];
    for (const [type, s] of best) out.push({ detector: 'injection', type, score: s, span: null });
    // Only data segments (tool results, documents) are judged, against the user's request when the
    // request has one. A user's or operator's own turn is never: a long operational message full
    // of requests to the model is what those turns are for, and judging it as data refused them.
    const task = indirect && input.task !== undefined ? contextOf(input.task) : null;
    const ov = indirect ? offTaskVector(folded, task) : null;
    if (ov?.some((x) => x !== 0))
      out.push({
        detector: 'injection',
        type: OFF_TASK_TYPE,
        score: recentre(offTaskProbability(offTask, ov), offTask.threshold),
        span: null,
      });
    if (model !== null) {
      const p = recentre(score(model, features(folded), structure(folded)), model.threshold);
      out.push({ detector: 'injection', type: 'classifier', score: p, span: null });
      if (model.combiner !== null) {
        // The adversarial-suffix LM, harmful intent, flooding and the short-command shape, combined
        // by the fitted logistic model on its own threshold; the type names the strongest signal.
        const v = signalVector(signals, input.text, folded, undefined, model.combiner.signals ?? 1);
        if (v.some((x) => x !== 0))
          out.push({
            detector: 'injection',
            type: dominantSignal(model.combiner, v),
            score: recentre(combine(model.combiner, v), model.combiner.threshold),
            span: null,
          });
      }
    }
    return out;
  };
  return { name: 'injection', detect };
}
