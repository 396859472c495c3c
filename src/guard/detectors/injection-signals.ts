/**
 * The scored signals of the injection detector besides its signatures and its bag-of-words
 * classifier, and the small logistic model that combines them (weights in models/injection.json `combiner`, fitted by
 * scripts/train-injection.ts on out-of-fold predictions, and inside each fold by
 * scripts/eval-nested.ts):
 *
 * - `adversarial_suffix`: how much less probable the tail of the text is than its body under a
 *   character LM of benign text (charlm.ts): token salad appended to a request;
 * - `harmful_intent`, `harm_terms`, `harm_evasion`: harmful intent of the underlying request (harm.ts);
 * - `flooding`: the longest run of one character or one short unit repeated (flooding payloads);
 * No short-command feature: "say access granted" and "say hi" differ only in what is said, and the
 * feature alone pushed the second over the threshold; bare hijack payloads are left to the
 * signatures and the classifier.
 * No length feature: in the dev sets attacks are longer than benign prompts, a trait of those
 * sources (jailbreak templates) that pushed long benign documents over the threshold.
 * Each is O(n) over the text; none uses a regular expression that could backtrack.
 */
import { isRegexSpace } from '../chars.js';
import { type CharLm, suffixContrast } from './charlm.js';
import { type HarmLexicon, type HarmSignals, harmSignals } from './harm.js';
import { quotedMention } from './injection-mention.js';

export const SIGNAL_NAMES = [
  'adversarial_suffix',
  'harmful_intent',
  'harm_terms',
  'harm_evasion',
  'flooding',
  'instruction_override',
  'delimiter',
] as const;
export type SignalName = (typeof SIGNAL_NAMES)[number];
export const SIGNAL_DIM = SIGNAL_NAMES.length;

/**
 * Version of the vector's definition. Version 1 (models/injection.json files without `signals`):
 * harm features counted every harm term a text mentions, the suffix LM read multi-line tails, and
 * the last two signals did not exist. Version 2: `instruction_override` also counted a pair that was
 * only quoted in a text about attacks. A model is always scored with the definition it was fitted on.
 */
export const SIGNALS_VERSION = 3;

/** Periods tried for repeated units ("aaaa", "abab", "lol lol lol "). */
const MAX_PERIOD = 12;
const FLOOD_MAX_CHARS = 8_000;

/** Shortest repeated span that counts as a flood. */
const MIN_FLOOD = 64;
/** Sampling stride of the first pass; a flood spans at least MIN_FLOOD / STRIDE - 1 samples. */
const STRIDE = 16;

/** The scanned text with whitespace runs collapsed, as code units; reused across calls. */
const floodBuf = new Uint16Array(FLOOD_MAX_CHARS);

/** Exact length of the longest run of period p (t[i] === t[i - p]) plus the unit. */
function runOf(t: Uint16Array, n: number, p: number): number {
  let best = 0;
  let run = 0;
  for (let i = p; i < n; i++) {
    if (t[i] === t[i - p]) {
      run++;
      if (run + p > best) best = run + p;
    } else run = 0;
  }
  return best;
}

/**
 * Length of the longest span made of one unit of at most MAX_PERIOD characters repeated (0 under
 * MIN_FLOOD). A sampled first pass (every STRIDE-th character, each period) finds the periods that
 * can hold a flood; only those are scanned exactly, so ordinary text costs under one comparison
 * per character.
 */
export function longestRepeat(text: string): number {
  // Whitespace runs are layout (indentation, padding), not a payload: collapsed to one space before
  // looking, into a reused buffer (a regex replace allocated a copy of the text per call).
  const from = Math.max(0, text.length - FLOOD_MAX_CHARS);
  const t = floodBuf;
  let n = 0;
  let space = false;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isRegexSpace(c)) {
      if (!space) t[n++] = 32;
      space = true;
    } else {
      t[n++] = c;
      space = false;
    }
  }
  let best = 0;
  const need = Math.floor(MIN_FLOOD / STRIDE) - 1;
  for (let p = 1; p <= MAX_PERIOD; p++) {
    let streak = 0;
    let candidate = false;
    for (let i = MAX_PERIOD; i < n; i += STRIDE) {
      if (t[i] === t[i - p]) {
        if (++streak >= need) {
          candidate = true;
          break;
        }
      } else streak = 0;
    }
    if (candidate) best = Math.max(best, runOf(t, n, p));
  }
  return best >= MIN_FLOOD ? best : 0;
}

/** Contrast (bits per character) that ordinary text reaches: multilingual and code tails. */
const SUFFIX_MARGIN = 0.5;

/**
 * Words up to which a harm term mentioned without a request cue counts in full. A short text that
 * names a harm is about it ("bomb threat statistics?"); a long passage (a story, an article, a
 * reading-comprehension task) names violence and crime in passing. Beyond this the mention's weight
 * falls with the square root of the length.
 */
const MENTION_WORDS = 40;

function mentionWeight(words: number): number {
  return words <= MENTION_WORDS ? 1 : Math.sqrt(MENTION_WORDS / words);
}

export interface SignalContext {
  readonly lm: CharLm | null;
  readonly harm: HarmLexicon;
}

/**
 * Words that name instructions themselves, and words that set one set of them against another.
 * A sentence holding both ("all other tasks are void", "the previous instructions no longer
 * apply", "forget your original rules") speaks to the model about its instructions: the shape of a
 * hijack whatever its wording. "All", "new" and "following" are left out: "follow all of the
 * following instructions" is how ordinary system prompts and task definitions read.
 */
const META_NOUNS = new Set([
  'instruction',
  'instructions',
  'command',
  'commands',
  'directive',
  'directives',
  'task',
  'tasks',
  'prompt',
  'prompts',
  'rules',
  'guidelines',
  'orders',
]);
const CONTRAST_WORDS = new Set([
  'other',
  'others',
  'previous',
  'prior',
  'above',
  'earlier',
  'preceding',
  'upcoming',
  'void',
  'null',
  'override',
  'overrides',
  'ignore',
  'disregard',
  'forget',
  'abandon',
  'supersede',
  'supersedes',
  'former',
  'original',
]);
const SCAN_CHARS = 8_000;

const wordHash = (h: number, c: number): number => (Math.imul(h, 31) + c) | 0;
/** 1: a meta noun, 2: a contrast word; by the hash of the word read in place (no slice per word). */
const LISTED = (() => {
  const byHash = new Map<number, Array<{ word: string; kind: 1 | 2 }>>();
  const add = (word: string, kind: 1 | 2): void => {
    let h = 0;
    for (let k = 0; k < word.length; k++) h = wordHash(h, word.charCodeAt(k));
    byHash.set(h, [...(byHash.get(h) ?? []), { word, kind }]);
  };
  for (const w of META_NOUNS) add(w, 1);
  for (const w of CONTRAST_WORDS) if (!META_NOUNS.has(w)) add(w, 2);
  return byHash;
})();

const NO_WORDS: ReadonlyArray<{ word: string; kind: 1 | 2 }> = [];
// Above Latin-1 everything counts as a letter except the punctuation blocks: curly quotes, dashes and
// ellipses (U+2000–U+206F) and CJK punctuation (U+3000–U+303F) end a word, so “forget the rules”
// reads as the words it quotes.
const isLetter = (c: number): boolean =>
  (c >= 97 && c <= 122) ||
  (c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && !(c >= 0x2000 && c <= 0x206f) && !(c >= 0x3000 && c <= 0x303f));
const endsSentence = (c: number): boolean =>
  c === 46 || c === 33 || c === 63 || c === 10 || c === 59 || c === 58;

/**
 * 1 when one sentence of the folded text names instructions and sets them against others. From
 * signal version 3 a pair that only sits in a quoted mention (injection-mention.ts, the rule the
 * signatures use: quotes or backticks, nothing issued after the close quote, a short text that
 * talks about attacks, as in `translate "ignore all previous instructions" for my security slides`)
 * does not count: it is discussed, not issued. An unquoted pair elsewhere in the text still does.
 */
export function instructionOverride(folded: string, mentions = true): number {
  const t =
    folded.length > SCAN_CHARS
      ? `${folded.slice(0, SCAN_CHARS / 2)}\n${folded.slice(-SCAN_CHARS / 2)}`
      : folded;
  // Start of the first listed word of each kind in the current sentence (-1: none yet).
  let meta = -1;
  let contrast = -1;
  let i = 0;
  while (i < t.length) {
    const c = t.charCodeAt(i);
    if (endsSentence(c)) {
      meta = -1;
      contrast = -1;
      i++;
      continue;
    }
    if (!isLetter(c)) {
      i++;
      continue;
    }
    let h = wordHash(0, c);
    let j = i + 1;
    for (let d = t.charCodeAt(j); j < t.length && isLetter(d); d = t.charCodeAt(++j)) h = wordHash(h, d);
    // Every listed word has 4-12 letters: shorter and longer words are not looked up at all.
    if (j - i >= 4 && j - i <= 12) {
      for (const { word, kind } of LISTED.get(h) ?? NO_WORDS) {
        if (word.length !== j - i || !t.startsWith(word, i)) continue;
        if (kind === 1) {
          if (meta < 0) meta = i;
        } else if (contrast < 0) contrast = i;
      }
    }
    if (meta >= 0 && contrast >= 0) {
      if (!(mentions && quotedMention(t, Math.min(meta, contrast), j))) return 1;
      // A quoted mention: look on for a pair that is issued.
      meta = -1;
      contrast = -1;
    }
    i = j;
  }
  return 0;
}

/** Characters that fence off a section when repeated ("=====", "[[[[[", "+++++"). */
const DELIMITER_CHARS = new Set([...'[]{}<>+=*#~_|'].map((c) => c.charCodeAt(0)));
/** A run this long of one fence character. */
const MIN_DELIMITER = 5;

/**
 * 1 when the text holds a run of MIN_DELIMITER or more of one fence character: the separator an
 * injection uses to close the data it sits in and open "new" instructions (delimiter escapes).
 * Markdown rules ("---") are shorter or use '-', which is not counted.
 */
export function delimiterRun(text: string): number {
  const t =
    text.length > SCAN_CHARS ? `${text.slice(0, SCAN_CHARS / 2)} ${text.slice(-SCAN_CHARS / 2)}` : text;
  let run = 1;
  for (let i = 1; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === t.charCodeAt(i - 1) && DELIMITER_CHARS.has(c)) {
      if (++run >= MIN_DELIMITER) return 1;
    } else run = 1;
  }
  return 0;
}

/**
 * The dense signal vector of one text: `sanitised` is the text before folding (the character LM
 * reads case), `folded` after.
 */
export function signalVector(
  ctx: SignalContext,
  sanitised: string,
  folded: string,
  harm: HarmSignals = harmSignals(ctx.harm, folded),
  version: number = SIGNALS_VERSION,
): Float64Array {
  const v = new Float64Array(SIGNAL_DIM);
  if (version < 2) {
    v[0] = ctx.lm === null ? 0 : Math.max(0, suffixContrast(ctx.lm, sanitised, false) - SUFFIX_MARGIN);
    v[1] = harm.max;
    v[2] = Math.log1p(harm.terms);
    v[3] = harm.evasion ? 1 : 0;
    v[4] = Math.log1p(longestRepeat(sanitised)) / 4;
    return v;
  }
  v[0] = ctx.lm === null ? 0 : Math.max(0, suffixContrast(ctx.lm, sanitised) - SUFFIX_MARGIN);
  v[1] = harm.request ? harm.max : harm.max * mentionWeight(harm.words);
  // Terms asked for, not terms mentioned: the mention count grows with a passage's length and read
  // long stories as harmful requests once the sources they came from were held out.
  v[2] = Math.log1p(harm.asked);
  v[3] = harm.evasion ? 1 : 0;
  v[4] = Math.log1p(longestRepeat(sanitised)) / 4;
  v[5] = instructionOverride(folded, version >= 3);
  v[6] = delimiterRun(sanitised);
  return v;
}

/** A fitted logistic model over a feature vector (the signal combiner, the off-task model). */
export interface Combiner {
  readonly weights: readonly number[];
  readonly bias: number;
  /** Probability at or above which the combined score is an attack. */
  readonly threshold: number;
  /** SIGNALS_VERSION the weights were fitted on (absent: 1). */
  readonly signals?: number;
}

/** The model's probability for `v`; a weight without a feature (or the reverse) counts as 0. */
export function combine(c: Combiner, v: Float64Array): number {
  let z = c.bias;
  for (let i = 0; i < c.weights.length; i++) z += (c.weights[i] ?? 0) * (v[i] ?? 0);
  return 1 / (1 + Math.exp(-z));
}

/** The signal that adds most to the combined logit: the finding's type. */
export function dominantSignal(c: Combiner, v: Float64Array): SignalName {
  let best = 0;
  let at = 0;
  for (let i = 0; i < Math.min(SIGNAL_DIM, c.weights.length); i++) {
    const x = (c.weights[i] ?? 0) * (v[i] ?? 0);
    if (x > best) {
      best = x;
      at = i;
    }
  }
  return SIGNAL_NAMES[at] ?? 'harmful_intent';
}

/**
 * Logistic regression on the dense signals, class-balanced, full-batch gradient descent with a
 * small L2 penalty: deterministic, and with 5 inputs it converges in a few hundred steps. The
 * dimension is the vectors' (the off-task model, off-task.ts, is fitted the same way).
 */
export function fitCombiner(
  xs: readonly Float64Array[],
  ys: ReadonlyArray<0 | 1>,
  steps = 400,
  l2 = 1e-3,
): Omit<Combiner, 'threshold'> {
  const dim = xs[0]?.length ?? SIGNAL_DIM;
  const w = new Float64Array(dim);
  let b = 0;
  const pos = ys.filter((y) => y === 1).length;
  const cw1 = ys.length / (2 * Math.max(1, pos));
  const cw0 = ys.length / (2 * Math.max(1, ys.length - pos));
  const g = new Float64Array(dim);
  for (let s = 0; s < steps; s++) {
    g.fill(0);
    let gb = 0;
    xs.forEach((x, i) => {
      const y = ys[i] ?? 0;
      let z = b;
      for (let d = 0; d < dim; d++) z += (w[d] ?? 0) * (x[d] ?? 0);
      const err = (1 / (1 + Math.exp(-z)) - y) * (y === 1 ? cw1 : cw0);
      for (let d = 0; d < dim; d++) g[d] = (g[d] ?? 0) + err * (x[d] ?? 0);
      gb += err;
    });
    const lr = 1;
    for (let d = 0; d < dim; d++) w[d] = (w[d] ?? 0) - lr * ((g[d] ?? 0) / xs.length + l2 * (w[d] ?? 0));
    b -= (lr * gb) / xs.length;
  }
  return { weights: [...w], bias: b };
}
