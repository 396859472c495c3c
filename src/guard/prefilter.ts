/**
 * One linear scan that rules out every secret pattern (and every PII pattern but names and
 * addresses) at once: each needs somewhere in the text a digit (numbers, most tokens), `@` (e-mail),
 * a token symbol, a long run (keys, JWTs, base64), or a keyword that anchors a letters-only secret.
 * Plain prose has none, so most texts skip the ~100 patterns (issue 13: the secrets detector was
 * 5.5% of the full pipeline's CPU on prose). test/unit/guard-output/engine-gate.test.ts checks it
 * against every positive of the public dev sets. No backtracking: a set, a bounded run, literals.
 * The input guard's secrets detector computes the same gate inside its own one-pass literal scan
 * (detectors/secrets-prefilter.ts), from the parts below.
 */
export const MAY_MATCH_SYMBOLS = '0123456789@_=+/\\:;$%&#*~|<>^[]{}-';
/** A run of this many characters that are not white space. */
export const MAY_MATCH_RUN = 12;
export const MAY_MATCH_KEYWORDS: readonly string[] = [
  'pass',
  'pwd',
  'secret',
  'token',
  'key',
  'credential',
  'bearer',
  'basic',
  'auth',
  'private',
  'ssn',
  'social',
  'sig=',
];
const escapeClass = (s: string): string => s.replace(/[\\\][^-]/g, (c) => `\\${c}`);
export const MAY_MATCH = new RegExp(
  `[${escapeClass(MAY_MATCH_SYMBOLS)}]|[^\\s]{${MAY_MATCH_RUN},}|${MAY_MATCH_KEYWORDS.join('|')}`,
  'i',
);

export function mayMatch(text: string): boolean {
  return MAY_MATCH.test(text);
}
