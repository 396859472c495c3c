/**
 * The detector contract. A detector is compiled once at boot by its factory and is then a pure
 * function from (already normalised) text to findings. Findings carry offsets into the text that was
 * scanned, never a copy of the matched value, so nothing sensitive leaks into verdicts or logs.
 */

import type { GuardAction } from '../formats/guard-names.js';

export { ACTIONS, type GuardAction } from '../formats/guard-names.js';

export const DETECTOR_NAMES = ['injection', 'policy', 'pii', 'secrets'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

/** Strength order of actions: the strongest action of all findings wins. */
export const ACTION_RANK: Readonly<Record<GuardAction, number>> = { allow: 0, flag: 1, redact: 2, block: 3 };

export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface Finding {
  readonly detector: DetectorName;
  /** Entity or attack family, e.g. `EMAIL`, `AWS_ACCESS_KEY`, `instruction_override`, `model`. */
  readonly type: string;
  /** 0..1. */
  readonly score: number;
  /** Offsets into the scanned text; null when the finding is about the whole text (classifier). */
  readonly span: Span | null;
  /** Set when the finding came from a decoded view; `span` then covers the encoded run. */
  readonly via?: string;
}

/** Where a piece of text came from in the request; indirect content has its own threshold. */
export type SegmentKind = 'user' | 'indirect' | 'system';

/**
 * One text to scan. `text` is sanitised (NFKC, invisibles removed) and is what spans point into;
 * `folded()` is the matching form (confusables, case, leetspeak), computed once and shared.
 */
export interface ScanInput {
  readonly text: string;
  readonly kind: SegmentKind;
  folded(): string;
  /** Shared by every text of one request, so a detector's cap holds per request (engine.ts). */
  readonly budget?: ScanBudget;
  /**
   * For data segments (`indirect`): the user's own request (its turns joined, sanitised), which
   * instructions found in the data are judged against (detectors/off-task.ts). Absent when unknown.
   */
  readonly task?: string;
}

/** Work a request may still spend on costly validators (issue 10); see pii-phone.ts. */
export interface ScanBudget {
  /** libphonenumber calls left; past zero, bare phone-shaped candidates count as PHONE unvalidated. */
  phoneValidations: number;
  /** Each distinct phone candidate's validity, so it is validated once per request. */
  readonly phoneValid: Map<string, boolean>;
}

export type DetectFn = (input: ScanInput) => Finding[];

/** A compiled detector. Spans of span-reporting detectors (PII, secrets) point into `ScanInput.text`. */
export interface Detector {
  readonly name: DetectorName;
  readonly detect: DetectFn;
}

/** An optional out-of-process classifier (HTTP model server); always has a timeout. */
export interface AsyncClassifier {
  readonly name: string;
  classify(text: string, signal: AbortSignal): Promise<number>;
}
