/**
 * Prompt injection and jailbreak: weighted signatures (injection-signatures.ts) and a linear
 * classifier over hashed n-grams (injection-model.ts, weights in models/injection.json, produced by
 * scripts/train-injection.ts). The classifier's probability is re-centred on its trained threshold so
 * that both halves share one scale on which 0.5 is "attack"; the route's thresholds (separate for
 * user content and for indirect content such as tool results) then apply to the larger of the two.
 */
import type { Detector, Finding, ScanInput } from '../types.js';
import { features, type InjectionModel, loadModel, score } from './injection-model.js';
import { SIGNATURES } from './injection-signatures.js';

export interface InjectionOptions {
  /** Path of the weights file; the shipped models/injection.json when absent. */
  readonly modelPath?: string;
  /** Turn the classifier off and keep the signatures (smallest cost). */
  readonly classifier: boolean;
}

const logit = (p: number): number => Math.log(p / (1 - p));
const clamp = (p: number): number => Math.min(1 - 1e-6, Math.max(1e-6, p));

/** Maps p to the 0.5-centred scale: p >= threshold <=> result >= 0.5. */
export function recentre(p: number, threshold: number): number {
  return 1 / (1 + Math.exp(-(logit(clamp(p)) - logit(clamp(threshold)))));
}

export function createInjectionDetector(opts: InjectionOptions): Detector {
  const model: InjectionModel | null = opts.classifier ? loadModel(opts.modelPath) : null;
  const detect = (input: ScanInput): Finding[] => {
    const folded = input.folded();
    const best = new Map<string, number>();
    for (const sig of SIGNATURES) {
      if ((best.get(sig.family) ?? 0) >= sig.weight) continue;
      if (sig.re.test(folded)) best.set(sig.family, sig.weight);
    }
    const out: Finding[] = [];
    for (const [type, s] of best) out.push({ detector: 'injection', type, score: s, span: null });
    if (model !== null) {
      const p = recentre(score(model, features(folded)), model.threshold);
      out.push({ detector: 'injection', type: 'classifier', score: p, span: null });
    }
    return out;
  };
  return { name: 'injection', detect };
}
