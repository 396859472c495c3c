/**
 * The input guard service, built once at boot: the shared detectors (model weights, lexicons,
 * provider rules), the scan limits and the optional external classifier.
 * Route-specific parts (policy patterns, thresholds, actions) are compiled by the input stage.
 */

import type { GuardConfig } from '../config/schema/guard.js';
import { resolveSecret } from '../config/secrets.js';
import { AUDIT_REDACTOR } from '../pipeline/audit-redactor.js';
import type { ServiceDef } from '../pipeline/feature.js';
import { TEXT_SCANNER } from '../pipeline/text-scanner.js';
import { createHttpClassifier } from './detectors/http-classifier.js';
import type { ScanLimits } from './engine.js';
import { type OnnxClassifier, startOnnxClassifier } from './onnx/classifier.js';
import { buildSharedDetectors } from './registry.js';
import { createOutputScanner } from './scan-output.js';
import { GUARD } from './slots.js';
import { createTextScanner } from './text-scanner.js';
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
  /** The local ONNX classifier (`guard.injection.onnx`), started by the service at boot. */
  readonly onnx?: OnnxClassifier;
}

/** Verdicts are counted by telemetry from `ctx.verdicts` (gatehouse_guardrail_verdicts_total). */
export function createGuardService(cfg: GuardConfig): GuardService {
  const http = cfg.injection.http;
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
  };
}

export const guardService: ServiceDef = {
  name: 'guard',
  build: async (rt) => {
    const cfg = rt.config.guard;
    // Audit text (telemetry.audit.includeText) goes through the same PII and secret detectors,
    // whatever the route's actions: every finding becomes a typed placeholder in the event.
    const auditScanner = createOutputScanner(cfg);
    AUDIT_REDACTOR.set(rt, (text) => auditScanner.redact(text, () => 'redact'));
    // Tool results and descriptions (issue 19) are scanned whether or not input guardrails are on.
    TEXT_SCANNER.set(rt, createTextScanner(cfg));
    if (!cfg.enabled) {
      rt.logger.warn('input guardrails are disabled: prompts reach the model unscanned');
      return;
    }
    const svc = createGuardService(cfg);
    const onnxCfg = cfg.injection.onnx;
    if (onnxCfg === undefined) {
      GUARD.set(rt, svc);
      return;
    }
    // Closed default: a configured model that does not load throws here and the gateway does not start.
    const onnx = await startOnnxClassifier(onnxCfg, rt.metrics, rt.logger);
    rt.closers.push(() => onnx.close());
    GUARD.set(rt, { ...svc, onnx });
  },
};
