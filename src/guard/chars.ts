/**
 * What `\s` matches in a regular expression (ECMAScript WhiteSpace and LineTerminator), as a test on
 * one UTF-16 code unit: hand-written scans (the literal pass, the flooding signal) split on exactly the
 * characters the regex-based detectors do, without running a regex per character.
 */
export function isRegexSpace(c: number): boolean {
  // Printable ASCII and Latin-1 first: nearly every character of a prompt leaves here.
  if (c > 32 && c < 0xa0) return false;
  return (
    (c >= 9 && c <= 13) ||
    c === 32 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
