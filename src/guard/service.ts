/**
 * The input guard service, built once at boot: the shared detectors (model weights, lexicons,
 * provider rules), the scan limits, the optional external classifier, and a verdict counter.
 * Route-specific parts (policy patterns, thresholds, actions) are compiled by the input stage.
 */
import { Counter, type Registry } from 'prom-client';
import type { GuardConfig } from '../config/schema/guard.js';
import { resolveSecret } from '../config/secrets.js';
import type { ServiceDef } from '../config/services.js';
import { createHttpClassifier } from './detectors/http-classifier.js';
import type { ScanLimits } from './engine.js';
import { buildSharedDetectors } from './registry.js';
import type { AsyncClassifier, Detector, DetectorName } from './types.js';

export interface ExternalClassifier {
  readonly classifier: AsyncClassifier;
  readonly threshold: number;
  readonly onError: 'allow' | 'block';
}

export interface GuardService {
  readonly config: GuardConfig;
  readonly shared: ReadonlyMap<DetectorName, Detector>;
  readonly limits: ScanLimits;
  readonly external: ExternalClassifier | null;
  /** gatehouse_guard_input_verdicts_total{detector,type,action}: types are fixed names, never matched text. */
  readonly verdicts: Counter<'detector' | 'type' | 'action'>;
}

declare module '../config/runtime.js' {
  interface Services {
    /** Input guardrails (issue 5); absent when `guard.enabled` is false. */
    guard?: GuardService;
  }
}

export function createGuardService(cfg: GuardConfig, registry: Registry | null): GuardService {
  const http = cfg.injection.http;
  const verdicts = new Counter({
    name: 'gatehouse_guard_input_verdicts_total',
    help: 'Input guardrail decisions other than allow, by detector, finding type and action.',
    labelNames: ['detector', 'type', 'action'] as const,
    registers: registry === null ? [] : [registry],
  });
  return {
    config: cfg,
    shared: buildSharedDetectors(cfg),
    limits: {
      decode: {
        maxViews: cfg.decode.maxViews,
        maxDecodedChars: cfg.decode.maxDecodedChars,
        minEncodedLength: 16,
      },
      maxScanChars: cfg.maxScanChars,
    },
    external:
      http === undefined
        ? null
        : {
            classifier: createHttpClassifier({
              kind: http.kind,
              url: http.url,
              apiKey: http.apiKey === undefined ? undefined : resolveSecret(http.apiKey),
              model: http.model,
              timeoutMs: http.timeoutMs,
            }),
            threshold: http.threshold,
            onError: http.onError,
          },
    verdicts,
  };
}

export const guardService: ServiceDef = {
  name: 'guard',
  build: (rt) => {
    const cfg = rt.config.guard;
    if (!cfg.enabled) {
      rt.logger.warn('input guardrails are disabled: prompts reach the model unscanned');
      return;
    }
    rt.services.guard = createGuardService(cfg, rt.metrics);
  },
};
