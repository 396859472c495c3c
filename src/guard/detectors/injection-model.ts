/**
 * The statistical half of the injection detector: logistic regression over hashed features of the
 * folded text (word unigrams and bigrams, character 4-grams). The same `features` function serves
 * scripts/train-injection.ts and the gateway, so the shipped weights always match the extractor.
 * Weights are stored int8-quantised in models/injection.json (64 Ki buckets, ~90 KB).
 */
import { readFileSync } from 'node:fs';

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
  readonly trainedOn: string;
  readonly metrics: Record<string, number>;
}

export interface InjectionModel {
  readonly bias: number;
  readonly weights: Float32Array;
  readonly threshold: number;
}

function fnv(s: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const TOKEN = /[a-z0-9\u00c0-\uffff]+|[^\sa-z0-9\u00c0-\uffff]/g;

/**
 * Sparse binary features of folded text, as bucket indices (duplicates removed). Signed hashing
 * is not needed: the weight vector absorbs collisions well enough at this size.
 */
export function features(folded: string): Uint32Array {
  let t = folded;
  if (t.length > MODEL_MAX_CHARS) t = t.slice(0, MODEL_MAX_CHARS / 2) + ' ' + t.slice(-MODEL_MAX_CHARS / 2);
  const idx = new Set<number>();
  const toks = t.match(TOKEN) ?? [];
  let prev = '<s>';
  for (const tok of toks) {
    idx.add(fnv(tok, 1) & MASK);
    idx.add(fnv(prev + ' ' + tok, 2) & MASK);
    prev = tok;
  }
  // Instructions mixed into structured data (a table plus free-standing prose) are the shape of
  // indirect injection; a linear model cannot form that conjunction itself, so it gets a feature.
  const lines = t.split('\n');
  const tableLines = lines.filter((l) => l.trimStart().startsWith('|')).length;
  if (tableLines >= 2) {
    idx.add(fnv('__table__', 3) & MASK);
    for (const l of lines) {
      if (l.trimStart().startsWith('|')) continue;
      const words = l.match(/[a-z]+/g)?.length ?? 0;
      if (words >= 4) {
        idx.add(fnv('__table_prose__', 3) & MASK);
        for (const w of (l.match(/[a-z]+/g) ?? []).slice(0, 3)) idx.add(fnv(`__tp_${w}`, 3) & MASK);
        break;
      }
    }
  }
  // Character 4-grams over the whitespace-collapsed text catch spacing and spelling tricks.
  const c = t.replace(/\s+/g, ' ');
  for (let i = 0; i + 4 <= c.length; i++) {
    let h = 0x9747b28c;
    for (let k = 0; k < 4; k++) h = Math.imul(h ^ c.charCodeAt(i + k), 0x5bd1e995);
    idx.add((h >>> 0) & MASK);
  }
  return Uint32Array.from(idx);
}

export function score(model: InjectionModel, feats: Uint32Array): number {
  // Binary features, L2-normalised: each present feature contributes w / sqrt(n).
  let z = 0;
  for (let i = 0; i < feats.length; i++) z += model.weights[feats[i]!]!;
  z = model.bias + (feats.length > 0 ? z / Math.sqrt(feats.length) : 0);
  return 1 / (1 + Math.exp(-z));
}

export function decodeModel(file: InjectionModelFile): InjectionModel {
  if (file.version !== 1 || file.dimBits !== MODEL_DIM_BITS)
    throw new Error('injection model: unsupported format');
  const raw = Buffer.from(file.weights, 'base64');
  const q = new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  if (q.length !== MODEL_DIM) throw new Error('injection model: wrong weight count');
  const weights = new Float32Array(MODEL_DIM);
  for (let i = 0; i < MODEL_DIM; i++) weights[i] = q[i]! * file.scale;
  return { bias: file.bias, weights, threshold: file.threshold };
}

export function encodeWeights(w: Float32Array): { scale: number; weights: string } {
  let max = 0;
  for (const v of w) max = Math.max(max, Math.abs(v));
  const scale = max / 127 || 1;
  const q = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) q[i] = Math.round(w[i]! / scale);
  return { scale, weights: Buffer.from(q.buffer).toString('base64') };
}

export const DEFAULT_MODEL_URL = new URL('../../../models/injection.json', import.meta.url);

export function loadModel(path: string | URL = DEFAULT_MODEL_URL): InjectionModel {
  return decodeModel(JSON.parse(readFileSync(path, 'utf8')) as InjectionModelFile);
}
