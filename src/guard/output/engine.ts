/**
 * The detector engine's PII, secrets and injection detectors (src/guard/detectors), adapted to the
 * output guard: they scan the sanitised view and their spans are mapped back to the raw answer.
 * Built once per route at boot; the injection model is loaded once per process.
 */
import type { OutputPolicy } from '../../config/schema/output-guard.js';
import { createInjectionDetector } from '../detectors/injection.js';
import { createPiiDetector, PII_ENTITIES, type PiiEntity } from '../detectors/pii.js';
import { createSecretsDetector } from '../detectors/secrets.js';
import { mayMatch } from '../prefilter.js';
import type { Detector } from '../types.js';
import { type PreparedText, toRaw } from './prepared.js';
import type { OutputDetectorName, OutputFinding, TextDetector } from './types.js';

/** Findings below this score are not acted on (the injection scale puts "attack" at 0.5). */
const MIN_SCORE = 0.5;

function adapt(name: OutputDetectorName, det: Detector): TextDetector {
  return {
    name,
    scan: (p: PreparedText): OutputFinding[] => {
      const out: OutputFinding[] = [];
      for (const f of det.detect(p.input)) {
        if (f.score < MIN_SCORE) continue;
        if (f.span === null) {
          out.push({ detector: name, type: f.type, score: f.score, start: 0, end: 0, whole: true });
          continue;
        }
        const [start, end] = toRaw(p, f.span.start, f.span.end);
        out.push({ detector: name, type: f.type, score: f.score, start, end, whole: false });
      }
      return out;
    },
  };
}

// The plain-prose gate (src/guard/prefilter.ts); names and addresses (letters only) turn it off.
export { mayMatch };

/** Only for callers that bring no detector (unit harnesses): the shipped weights, loaded once. */
let shippedInjection: Detector | null = null;

export interface EngineDetectors {
  /** Span detectors, run on every scan that `mayMatch` lets through. */
  readonly spans: readonly TextDetector[];
  readonly injection: TextDetector;
  /** False when letters-only entities (PERSON, ADDRESS) are scanned: then every scan runs them. */
  readonly gated: boolean;
  /** The scanner's gate (`spans` skipped on text `mayMatch` rejects), built once; null when not gated. */
  readonly gate: {
    readonly detectors: ReadonlySet<TextDetector>;
    readonly test: (text: string) => boolean;
  } | null;
}

/** `injection`: the gateway's injection detector (built from `guard.injection`, so `modelPath` holds here too). */
export function createEngineDetectors(policy: OutputPolicy, injection?: Detector): EngineDetectors {
  const { pii, secrets } = policy.detectors;
  const spans: TextDetector[] = [];
  const entities = pii.entities.filter((e): e is PiiEntity =>
    (PII_ENTITIES as readonly string[]).includes(e),
  );
  if (pii.action !== 'allow' || Object.values(pii.types).some((a) => a !== 'allow'))
    spans.push(adapt('pii', createPiiDetector({ entities, names: 'lexicon' })));
  if (secrets.action !== 'allow' || Object.values(secrets.types).some((a) => a !== 'allow'))
    spans.push(
      adapt(
        'secrets',
        createSecretsDetector({
          allowlist: secrets.allowlist,
          keywordEntropy: secrets.keywordEntropy,
          publicIp: secrets.publicIp,
        }),
      ),
    );
  const inj = injection ?? (shippedInjection ??= createInjectionDetector({ classifier: true }));
  const gated = !entities.some((e) => e === 'PERSON' || e === 'ADDRESS');
  const gate = gated ? { detectors: new Set(spans), test: mayMatch } : null;
  return { spans, injection: adapt('injection', inj), gated, gate };
}
