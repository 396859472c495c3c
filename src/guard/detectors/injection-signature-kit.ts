/**
 * The pieces every injection signature file shares: the signature type, the constructors and the
 * word-class fragments. See injection-signatures.ts for what a signature is and how it is kept honest.
 */

export type AttackFamily =
  | 'instruction_override'
  | 'roleplay_jailbreak'
  | 'prompt_extraction'
  | 'template_injection'
  | 'indirect_injection'
  | 'encoded_payload';

export interface Signature {
  /** Stable name, used by the tests and the evaluation report. */
  readonly id: string;
  readonly family: AttackFamily;
  readonly weight: number;
  readonly re: RegExp;
  /**
   * Only for indirect content (tool results, retrieved documents): a sentence about "your response"
   * is normal from a user and out of place in data, where it is someone else talking to the model.
   */
  readonly indirectOnly?: true;
  /** What general attack shape this encodes and where the shape is described. */
  readonly provenance: string;
}

export const W = '(?:\\W+\\w+){0,3}\\W+'; // up to three filler words
export const PRIOR =
  '(?:previous|prior|above|earlier|preceding|foregoing|initial|original|old|former|existing|system|developer|given|default|all)';
export const RULES =
  '(?:instructions?|rules|guidelines|directions|directives|prompts?|commands|context|constraints|restrictions|programming|polic(?:y|ies)|orders|guardrails|safeguards|filters|messages|text|conversation|training)';
export const IGNORE =
  "(?:ignore|disregard|forget|override|bypass|neglect|abandon|discard|skip|set\\s+aside|throw\\s+out|pay\\s+no\\s+attention\\s+to|do\\s+not\\s+follow|don'?t\\s+follow|stop\\s+following)";

export const s = (
  id: string,
  family: AttackFamily,
  weight: number,
  src: string,
  provenance: string,
): Signature => ({
  id,
  family,
  weight,
  re: new RegExp(src),
  provenance,
});
export const inData = (id: string, weight: number, src: string, provenance: string): Signature => ({
  id,
  family: 'indirect_injection',
  weight,
  re: new RegExp(src),
  indirectOnly: true,
  provenance,
});
