/**
 * One linear scan that rules out every secret pattern (and every PII pattern but names and
 * addresses) at once: each needs somewhere in the text a digit (numbers, most tokens), `@` (e-mail),
 * a token symbol, a long run (keys, JWTs, base64), or a keyword that anchors a letters-only secret.
 * Plain prose has none, so most texts skip the ~100 patterns (issue 13: the secrets detector was
 * 5.5% of the full pipeline's CPU on prose). test/unit/guard-output/engine-gate.test.ts checks it
 * against every positive of the public dev sets. No backtracking: a set, a bounded run, literals.
 */
const MAY_MATCH =
  /[0-9@_=+/\\:;$%&#*~|<>^[\]{}-]|[^\s]{12,}|pass|pwd|secret|token|key|credential|bearer|basic|auth|private|ssn|social|sig=/i;

export function mayMatch(text: string): boolean {
  return MAY_MATCH.test(text);
}
