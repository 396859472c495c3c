/**
 * Weighted signatures of known attack families, matched on folded text (lower case, ASCII-folded,
 * leetspeak undone). A signature needs the attack's shape (verb + target), not a trigger word alone, so
 * that texts which merely talk about these topics do not match. Every gap is bounded.
 *
 * Provenance, honestly: the families come from public taxonomies of prompt attacks (instruction
 * override and prompt leaking as in Perez & Ribeiro 2022; context ignoring and fake separators as in
 * Liu et al. 2023; indirect injection as in Greshake et al. 2023; jailbreak personas as catalogued by
 * Shen et al. 2023; refusal suppression, prefix injection and encodings as in Wei et al. 2023; chat
 * templates from the model vendors), but many were worded while reading the dev sets, so they are
 * model parameters like the classifier's weights. Each carries an `id` and a `provenance` note, and
 * has a test of its own written for it (test/unit/guard/injection-signatures.test.ts), not a dev row.
 * Signatures that matched only one or two dev rows and read like them (phrase-tuned) were removed;
 * scripts/eval-nested.ts reports the detector with and without the remaining narrow ones.
 */

import type { Signature } from './injection-signature-kit.js';
import { EXTRACTION_SIGNATURES } from './injection-signatures-extraction.js';
import { INDIRECT_SIGNATURES } from './injection-signatures-indirect.js';
import { OVERRIDE_SIGNATURES } from './injection-signatures-override.js';
import { ROLEPLAY_SIGNATURES } from './injection-signatures-roleplay.js';

export type { AttackFamily, Signature } from './injection-signature-kit.js';

export const SIGNATURES: readonly Signature[] = [
  ...OVERRIDE_SIGNATURES,
  ...ROLEPLAY_SIGNATURES,
  ...EXTRACTION_SIGNATURES,
  ...INDIRECT_SIGNATURES,
];
