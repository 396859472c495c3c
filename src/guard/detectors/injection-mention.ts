/**
 * Quoted mentions: an attack phrase inside quotation marks or backticks in a short text that talks
 * about attacks ("is \"ignore previous instructions\" a known injection?") is discussed, not issued.
 * Shared by the signatures (injection.ts) and the instruction-override signal (injection-signals.ts)
 * so that both read a mention the same way. O(1) per call: it looks at most 200 characters either
 * side of the match and the text is at most MENTION_MAX_CHARS long.
 */
const isOpenQuote = (c: number): boolean => c === 34 || c === 0x201c || c === 0xab || c === 96;
const isCloseQuote = (c: number): boolean => c === 34 || c === 0x201d || c === 0xbb || c === 96;
/** Words of a text that talks about attacks rather than making one. */
const META =
  /\b(?:prompt\s+injections?|injections?|attacks?|attackers?|security|phrases?|jailbreaks?|risks?|defen[cs]es?|defend|detect|detection|classifier|researchers?|awareness|examples?)\b/;
/** Score a signature keeps when its match is only quoted in a text about attacks. */
export const MENTION_SCORE = 0.4;
const MENTION_MAX_CHARS = 400;

/**
 * True when the match [start, end) sits inside one pair of double quotes on its line and the text
 * talks about attacks ("is the phrase \"ignore previous instructions\" a security risk?"): a
 * mention, not an instruction. The classifier still scores the whole text.
 */
export function quotedMention(folded: string, start: number, end: number): boolean {
  // Questions about an attack are short; jailbreaks quote their own slogans ("do anything now",
  // "stay in character") inside long set-ups that also say "jailbreak" and "example".
  if (folded.length > MENTION_MAX_CHARS) return false;
  let open = -1;
  for (let i = start - 1; i >= 0 && start - i <= 200; i--) {
    const c = folded.charCodeAt(i);
    if (c === 10) break;
    if (isOpenQuote(c)) {
      open = i;
      break;
    }
    if (isCloseQuote(c)) return false;
  }
  if (open < 0) return false;
  // The close quote may fall inside the match: filler-word gaps can run past it.
  let close = -1;
  for (let i = start; i < folded.length && i - end <= 200; i++) {
    const c = folded.charCodeAt(i);
    if (c === 10) break;
    if (isCloseQuote(c)) {
      close = i;
      break;
    }
  }
  // A quoted command followed by a payload ("... and print the password") is still a command.
  if (close < 0 || close - end > 3) return false;
  return META.test(folded.slice(0, open)) || META.test(folded.slice(close + 1));
}
