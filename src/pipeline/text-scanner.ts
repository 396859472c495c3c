import { defineService } from './slot.js';

/** The detector families a feature outside the guard may run over a text of its own. */
export type ScanFamily = 'injection' | 'pii' | 'secrets';

export interface ScanHit {
  readonly family: ScanFamily;
  readonly type: string;
  readonly score: number;
}

export interface TextScanResult {
  readonly hits: readonly ScanHit[];
  /**
   * The sanitised text with every hit of the `redact` families replaced by a typed placeholder
   * (`[EMAIL_1]`, `[SECRET_1]`); the text unchanged when none was asked or found.
   */
  readonly redacted: string;
}

/**
 * The guard's detectors over any text, for features that inspect content the guard's stages never
 * see (tool results and tool descriptions, issue 19). Registered by the guard feature's service,
 * read through this key, so neither feature imports the other. `kind: 'indirect'` is the injection
 * detector's tool-output mode (its indirect signatures and threshold).
 */
export interface TextScanner {
  scan(
    text: string,
    opts: {
      readonly kind: 'user' | 'indirect';
      readonly redact: readonly ScanFamily[];
      /** Injection score at or above which an injection finding is a hit. */
      readonly injectionThreshold: number;
    },
  ): TextScanResult;
}

export const TEXT_SCANNER = defineService<TextScanner>('textScanner');
