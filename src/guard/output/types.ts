/**
 * Contracts of the output guard. A text detector is compiled at boot (or, for per-request markers,
 * once per request) and is a pure function of the text it is given: spans are offsets into that text,
 * never copies of it, so nothing matched ends up in a verdict or a log line.
 */
import type { OutputAction } from '../../config/schema/output-guard.js';
import type { PreparedText } from './prepared.js';

export const OUTPUT_DETECTORS = [
  'pii',
  'secrets',
  'canary',
  'similarity',
  'injection',
  'format',
  'tools',
] as const;
export type OutputDetectorName = (typeof OUTPUT_DETECTORS)[number];

export interface OutputFinding {
  readonly detector: OutputDetectorName;
  readonly type: string;
  /** 0..1. */
  readonly score: number;
  /** Offsets into the scanned text; null for a finding about the whole text. */
  readonly start: number;
  readonly end: number;
  readonly whole: boolean;
}

export interface TextDetector {
  readonly name: OutputDetectorName;
  /** Findings with raw offsets (into `text.raw`). */
  scan(text: PreparedText): OutputFinding[];
  /**
   * The earliest offset from which a match may still be in progress at the end of `text` (so
   * nothing from there on may be released yet), or `text.length` when none can be. Detectors
   * without it rely on the window and the trailing-token rule of the channel.
   */
  openFrom?(text: string): number;
}

/** A finding with the action the route's policy gives it; `restore` puts back an input placeholder. */
export interface Hit {
  readonly detector: OutputDetectorName | 'placeholder';
  readonly type: string;
  readonly score: number;
  start: number;
  end: number;
  readonly whole: boolean;
  readonly action: OutputAction | 'restore';
  /** For `redact` the placeholder, for `restore` the original value. */
  readonly replacement: string;
}

export function finding(
  detector: OutputDetectorName,
  type: string,
  score: number,
  start: number,
  end: number,
): OutputFinding {
  return { detector, type, score, start, end, whole: false };
}

export function wholeFinding(detector: OutputDetectorName, type: string, score: number): OutputFinding {
  return { detector, type, score, start: 0, end: 0, whole: true };
}
