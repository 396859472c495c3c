/**
 * Names the guard's config section and the guard itself must agree on: the PII entity types and the
 * actions a verdict can take. A leaf, so the declared config schema (src/config/schema/guard.ts)
 * takes them from here instead of importing the guard feature.
 */
export const PII_ENTITIES = [
  'EMAIL',
  'PHONE',
  'CREDIT_CARD',
  'IBAN',
  'US_SSN',
  'UK_NINO',
  'IP_ADDRESS',
  'PERSON',
  'ADDRESS',
] as const;
export type PiiEntity = (typeof PII_ENTITIES)[number];

export const ACTIONS = ['allow', 'flag', 'redact', 'block'] as const;
export type GuardAction = (typeof ACTIONS)[number];
