import type { Decision } from '../decide.js';
import type { GuardPolicy } from '../policy-defaults.js';
import type { OnnxClassifier } from './classifier.js';

/**
 * The ONNX classifier's decision over the request's user texts (joined), next to the built-in
 * detector's: the strongest injection decision of the two wins, as with the HTTP classifier. No
 * answer within the budget (null score) leaves the built-in verdict alone: that is the fallback.
 */
export async function onnxDecision(
  onnx: OnnxClassifier | undefined,
  policy: GuardPolicy,
  text: string,
): Promise<Decision | null> {
  if (onnx === undefined || text === '' || !policy.injection.enabled) return null;
  const score = await onnx.score(text);
  if (score === null || score < onnx.threshold) return null;
  return {
    detector: 'injection',
    type: 'onnx',
    score,
    action: policy.injection.action,
    kind: 'user',
    span: null,
    segment: -1,
  };
}
