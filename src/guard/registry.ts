/**
 * The detector registry, keyed by the typed detector name. `shared` detectors are compiled once per
 * gateway (lexicons, model weights, provider rules); `route` detectors are compiled once per route
 * from that route's policy (operator patterns). No per-request compilation anywhere.
 */
import type { GuardConfig } from '../config/schema/guard.js';
import { createInjectionDetector } from './detectors/injection.js';
import { createPiiDetector, PII_ENTITIES } from './detectors/pii.js';
import { createPolicyDetector } from './detectors/policy.js';
import { createSecretsDetector } from './detectors/secrets.js';
import type { GuardPolicy } from './policy-defaults.js';
import type { Detector, DetectorName } from './types.js';

export type DetectorFactory =
  | { readonly scope: 'shared'; readonly create: (cfg: GuardConfig) => Detector }
  | { readonly scope: 'route'; readonly create: (cfg: GuardConfig, policy: GuardPolicy) => Detector | null };

export const DETECTORS: { readonly [K in DetectorName]: DetectorFactory } = {
  injection: {
    scope: 'shared',
    create: (cfg) =>
      createInjectionDetector({ modelPath: cfg.injection.modelPath, classifier: cfg.injection.classifier }),
  },
  pii: {
    scope: 'shared',
    create: (cfg) =>
      createPiiDetector({
        entities: PII_ENTITIES,
        names: cfg.pii.names,
        phoneRegions: cfg.pii.phoneRegions,
      }),
  },
  secrets: {
    scope: 'shared',
    // Behind the plain-prose gate (prefilter.ts): prose without a digit, symbol, long run or keyword
    // skips every rule. The detector computes it in its one literal scan (secrets-prefilter.ts).
    create: (cfg) =>
      createSecretsDetector({
        allowlist: cfg.secrets.allowlist,
        keywordEntropy: cfg.secrets.keywordEntropy,
        publicIp: cfg.secrets.publicIp,
        gate: true,
      }),
  },
  policy: {
    scope: 'route',
    create: (_cfg, policy) =>
      Object.keys(policy.policy.deniedTopics).length === 0 &&
      policy.policy.deniedPatterns.length === 0 &&
      policy.policy.deniedHarm.length === 0
        ? null
        : createPolicyDetector({
            deniedTopics: policy.policy.deniedTopics,
            deniedPatterns: policy.policy.deniedPatterns,
            deniedHarm: policy.policy.deniedHarm,
          }),
  },
};

/** Builds every shared detector once. */
export function buildSharedDetectors(cfg: GuardConfig): ReadonlyMap<DetectorName, Detector> {
  const out = new Map<DetectorName, Detector>();
  for (const [name, f] of Object.entries(DETECTORS) as Array<[DetectorName, DetectorFactory]>) {
    if (f.scope === 'shared') out.set(name, f.create(cfg));
  }
  return out;
}
