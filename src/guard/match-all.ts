/**
 * `text.matchAll(re)` without its per-call cost: matchAll clones the regex (species constructor) for
 * every call, ~0.2 µs each, which the detectors pay dozens of times per scanned text (70 secret
 * rules alone), so a request of 256 short messages spent ~3 ms cloning regexes (issue 10). This runs
 * the shared regex with `exec` from its current `lastIndex`, collects every match eagerly (so the
 * caller's loop body cannot disturb it) and restores `lastIndex`: same matches as matchAll.
 */
export function matchAll(re: RegExp, text: string): RegExpExecArray[] {
  if (!re.global) throw new TypeError(`matchAll needs a global regex: ${re}`);
  const from = re.lastIndex;
  const out: RegExpExecArray[] = [];
  // Read once, on the first empty match: the `flags` getter builds a string on every call.
  let unicode: boolean | undefined;
  try {
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      out.push(m);
      // An empty match does not move lastIndex: step past it as matchAll does (by code point with u/v).
      if (m[0] === '') {
        unicode ??= re.unicode || re.flags.includes('v');
        re.lastIndex = advance(text, re.lastIndex, unicode);
      }
    }
  } finally {
    re.lastIndex = from;
  }
  return out;
}

function advance(text: string, i: number, unicode: boolean): number {
  if (!unicode || i + 1 >= text.length) return i + 1;
  const c = text.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff) return i + 1;
  const d = text.charCodeAt(i + 1);
  return d >= 0xdc00 && d <= 0xdfff ? i + 2 : i + 1;
}

/**
 * `matchAll(re, text)` when every match can only start at one of `starts` (ascending): the pattern
 * is tried there alone, as a sticky copy, instead of at every position of the text. Global `exec`
 * takes the leftmost start at or after the previous match's end and the same match there, so this
 * gives the same matches when `starts` holds every possible start. `sticky` is `re` with the `y`
 * flag (compiled once by the caller); matches are never empty here (each start consumes input).
 */
export function matchAllAt(sticky: RegExp, text: string, starts: readonly number[]): RegExpExecArray[] {
  if (!sticky.sticky || sticky.global)
    throw new TypeError(`matchAllAt needs a sticky, non-global regex: ${sticky}`);
  const out: RegExpExecArray[] = [];
  let from = 0;
  for (const s of starts) {
    if (s < from) continue;
    sticky.lastIndex = s;
    const m = sticky.exec(text);
    if (m === null) continue;
    out.push(m);
    from = m.index + Math.max(1, m[0].length);
  }
  sticky.lastIndex = 0;
  return out;
}
