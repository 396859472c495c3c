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
  'DRIVER_LICENSE',
] as const;
export type PiiEntity = (typeof PII_ENTITIES)[number];

export const ACTIONS = ['allow', 'flag', 'redact', 'block'] as const;
export type GuardAction = (typeof ACTIONS)[number];

/**
 * Harmful-intent categories of the built-in content-policy classifier (src/guard/detectors/harm.ts),
 * so a route can refuse e.g. `weapons` without refusing role-play.
 */
export const HARM_CATEGORIES = [
  'weapons',
  'violence',
  'self_harm',
  'drugs',
  'cybercrime',
  'fraud',
  'hate',
  'harassment',
  'sexual',
  'misinformation',
  'privacy',
] as const;
export type HarmCategory = (typeof HARM_CATEGORIES)[number];
