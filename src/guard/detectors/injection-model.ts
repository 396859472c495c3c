/**
 * The statistical half of the injection detector: logistic regression over hashed features of the
 * folded text (word unigrams and bigrams) plus a few unnormalised structure features (prose in a table). The same `features` function serves
 * scripts/train-injection.ts and the gateway, so the shipped weights always match the extractor.
 * Weights are stored int8-quantised in models/injection.json (64 Ki buckets, ~90 KB).
 */
import { readFileSync } from 'node:fs';
import { type Combiner, SIGNAL_DIM } from './injection-signals.js';

/** Signals of a version-1 combiner (injection-signals.ts SIGNALS_VERSION). */
const SIGNAL_DIM_V1 = 5;

export const MODEL_DIM_BITS = 16;
export const MODEL_DIM = 1 << MODEL_DIM_BITS;
const MASK = MODEL_DIM - 1;
/** Longer texts are scored on their head and tail: attacks sit at the start or the end of a prompt. */
export const MODEL_MAX_CHARS = 6_000;

export interface InjectionModelFile {
  readonly version: 1;
  readonly dimBits: number;
  readonly bias: number;
  /** Weight = int8 value * scale. */
  readonly scale: number;
  /** base64 of the int8 weights. */
  readonly weights: string;
  readonly threshold: number;
  /** The signal combiner (injection-signals.ts); absent in files trained before it existed. */
  readonly combiner?: Combiner;
  readonly trainedOn: string;
  readonly metrics: Record<string, number>;
}

export interface InjectionModel {
  readonly bias: number;
  readonly weights: Float32Array;
  readonly threshold: number;
  readonly combiner: Combiner | null;
}

function fnv(s: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const isWordCode = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c >= 0xc0;
const isSpaceCode = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 0xa0;

function mix(h: number, c: number): number {
  return Math.imul(h ^ c, 0x01000193);
}

const FNV = 0x811c9dc5;
const TABLE = fnv('__table__', 3) & MASK;
const TABLE_PROSE = fnv('__table_prose__', 3) & MASK;
const TABLE_PROSE_UNREF = fnv('__table_prose_unref__', 3) & MASK;
const TABLE_REF =
  /\b(?:tables?|rows?|columns?|cells?|above|below|this|these|those|data|dataset|following|list|entries|entry|values?|figures?|numbers?|totals?|which|sort|sorted|convert|summar\w*|csv|json|chart|plot|average|mean|median|sum|rank\w*|compare|most|least|highest|lowest|each|per|here)\b/;

/**
 * Reused per call: `stamp[i] === gen` marks bucket i as already emitted for this text, which
 * deduplicates without a Set (the extractor runs on every request).
 */
const stamp = new Uint32Array(MODEL_DIM);
let gen = 0;
const out = new Uint32Array(MODEL_DIM);

/**
 * Sparse binary features of folded text, as bucket indices (duplicates removed): word unigrams and
 * bigrams (a "word" is a run of letters/digits, or one punctuation character) and a few structure
 * features. One pass over the characters, no
 * allocation per token. Signed hashing is not needed at this size.
 */
export function features(folded: string): Uint32Array {
  const t =
    folded.length > MODEL_MAX_CHARS
      ? `${folded.slice(0, MODEL_MAX_CHARS / 2)} ${folded.slice(-MODEL_MAX_CHARS / 2)}`
      : folded;
  gen = (gen + 1) >>> 0;
  if (gen === 0) {
    stamp.fill(0);
    gen = 1;
  }
  let n = 0;
  const emit = (b: number): void => {
    if (stamp[b] !== gen) {
      stamp[b] = gen;
      out[n++] = b;
    }
  };
  // Words and bigrams.
  let prev = fnv('<s>', 1);
  let i = 0;
  const len = t.length;
  while (i < len) {
    const c = t.charCodeAt(i);
    if (isSpaceCode(c)) {
      i++;
      continue;
    }
    let h = FNV ^ 1;
    if (isWordCode(c)) {
      while (i < len && isWordCode(t.charCodeAt(i))) h = mix(h, t.charCodeAt(i++));
    } else {
      h = mix(h, c);
      i++;
    }
    h >>>= 0;
    emit(h & MASK);
    emit((Math.imul(prev ^ 0x9e3779b9, 0x85ebca6b) ^ h) & MASK);
    prev = h;
  }
  // No character n-grams: they raised cross-validated F1 on the dev set but, with whole sources held
  // out, tripled the false positives on unseen benign prompts (they learn a source's style). Spelling
  // tricks are undone by fold() before this point instead.
  return out.slice(0, n);
}

const structOut = new Uint32Array(8);

/**
 * Structure features, scored without the length normalisation of the word features: a table of
 * 300 tokens would otherwise dilute the one feature that says "a request sits inside this data"
 * to nothing. Instructions mixed into structured data (a table plus free-standing prose) are the
 * shape of indirect injection; a linear model cannot form that conjunction itself, so it gets
 * features.
 */
export function structure(folded: string): Uint32Array {
  const t =
    folded.length > MODEL_MAX_CHARS
      ? `${folded.slice(0, MODEL_MAX_CHARS / 2)} ${folded.slice(-MODEL_MAX_CHARS / 2)}`
      : folded;
  let n = 0;
  if (!(t.includes('\n|') || t.startsWith('|'))) return structOut.subarray(0, 0);
  const lines = t.split('\n');
  if (lines.filter((l) => l.trimStart().startsWith('|')).length < 2) return structOut.subarray(0, 0);
  structOut[n++] = TABLE;
  for (const l of lines) {
    if (l.trimStart().startsWith('|')) continue;
    const words = l.match(/[a-z]+/g) ?? [];
    if (words.length >= 4) {
      structOut[n++] = TABLE_PROSE;
      for (const w of words.slice(0, 3)) structOut[n++] = fnv(`__tp_${w}`, 3) & MASK;
      // A request next to a table that never refers to the data is someone else's task
      // planted in it; "which row ...", "sort this table" is the user's own question.
      if (!TABLE_REF.test(l)) structOut[n++] = TABLE_PROSE_UNREF;
      break;
    }
  }
  return structOut.slice(0, n);
}

export function score(model: InjectionModel, feats: Uint32Array, struct?: Uint32Array): number {
  // Binary features, L2-normalised: each present feature contributes w / sqrt(n).
  let z = 0;
  // Feature ids are hashed below MODEL_DIM (the weights' length); a missing weight would be a bug.
  for (const f of feats) z += model.weights[f] ?? 0;
  z = model.bias + (feats.length > 0 ? z / Math.sqrt(feats.length) : 0);
  if (struct !== undefined) for (const f of struct) z += model.weights[f] ?? 0;
  return 1 / (1 + Math.exp(-z));
}

export function decodeModel(file: InjectionModelFile): InjectionModel {
  if (file.version !== 1 || file.dimBits !== MODEL_DIM_BITS)
    throw new Error('injection model: unsupported format');
  const raw = Buffer.from(file.weights, 'base64');
  const q = new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  if (q.length !== MODEL_DIM) throw new Error('injection model: wrong weight count');
  const weights = new Float32Array(MODEL_DIM);
  for (const [i, v] of q.entries()) weights[i] = v * file.scale;
  const c = file.combiner;
  // Version 1 files carry the first five signals' weights; later ones every signal's.
  const dim = (c?.signals ?? 1) < 2 ? SIGNAL_DIM_V1 : SIGNAL_DIM;
  if (c !== undefined && (c.weights.length !== dim || !c.weights.every(Number.isFinite)))
    throw new Error('injection model: combiner does not match the signals');
  return { bias: file.bias, weights, threshold: file.threshold, combiner: c ?? null };
}

export function encodeWeights(w: Float32Array): { scale: number; weights: string } {
  let max = 0;
  for (const v of w) max = Math.max(max, Math.abs(v));
  const scale = max / 127 || 1;
  const q = new Int8Array(w.length);
  for (const [i, v] of w.entries()) q[i] = Math.round(v / scale);
  return { scale, weights: Buffer.from(q.buffer).toString('base64') };
}

export const DEFAULT_MODEL_URL = new URL('../../../models/injection.json', import.meta.url);

export function loadModel(path: string | URL = DEFAULT_MODEL_URL): InjectionModel {
  return decodeModel(JSON.parse(readFileSync(path, 'utf8')) as InjectionModelFile);
}
