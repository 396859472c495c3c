/**
 * An optional out-of-process injection classifier over HTTP, with a hard timeout:
 * - `openai-moderation`: POST {model?, input} to an OpenAI-moderation-compatible endpoint; the score is
 *   the largest of `results[0].category_scores` (or `flagged` as 1).
 * - `prompt-guard`: a Prompt Guard style sequence classifier served by vLLM's `/classify` (POST
 *   {model, input}); the score is the probability of the non-benign labels.
 * The built-in detectors always run; this score is combined with theirs by max.
 */
import { request } from 'undici';
import type { AsyncClassifier } from '../types.js';

export interface HttpClassifierOptions {
  readonly kind: 'openai-moderation' | 'prompt-guard';
  readonly url: string;
  /** Resolved credential (never logged). */
  readonly apiKey?: string;
  readonly model?: string;
  readonly timeoutMs: number;
}

type Json = Record<string, unknown>;

function maxOf(values: unknown): number {
  if (!values || typeof values !== 'object') return 0;
  let m = 0;
  for (const v of Object.values(values as Json)) if (typeof v === 'number' && v > m) m = v;
  return m;
}

const PARSERS: Readonly<Record<HttpClassifierOptions['kind'], (json: Json) => number>> = {
  'openai-moderation': (json) => {
    const r = (json.results as Json[] | undefined)?.[0];
    if (r === undefined) throw new Error('moderation: no results');
    return r.flagged === true ? Math.max(1, maxOf(r.category_scores)) : maxOf(r.category_scores);
  },
  'prompt-guard': (json) => {
    const d = (json.data as Json[] | undefined)?.[0];
    const probs = d?.probs;
    if (!Array.isArray(probs) || probs.length < 2) throw new Error('prompt-guard: no probs');
    // Label 0 is BENIGN in Prompt Guard 1/2; everything else (INJECTION, JAILBREAK, MALICIOUS) counts.
    return 1 - Number(probs[0]);
  },
};

export function createHttpClassifier(opts: HttpClassifierOptions): AsyncClassifier {
  const parse = PARSERS[opts.kind];
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.apiKey !== undefined) headers.authorization = `Bearer ${opts.apiKey}`;
  return {
    name: opts.kind,
    async classify(text, signal) {
      const timeout = AbortSignal.timeout(opts.timeoutMs);
      const res = await request(opts.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(opts.model === undefined ? { input: text } : { model: opts.model, input: text }),
        signal: AbortSignal.any([signal, timeout]),
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      });
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new Error(`classifier answered ${res.statusCode}`);
      }
      const score = parse((await res.body.json()) as Json);
      return Math.min(1, Math.max(0, score));
    },
  };
}
