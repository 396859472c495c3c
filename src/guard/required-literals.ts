/**
 * The literals a regex cannot match without: a set of lower-case ASCII strings such that every match
 * contains at least one of them (case-insensitively), or null when no such set is known. The
 * prefilter (literal-scan.ts) runs a pattern only on texts where one of its literals occurs; the
 * derivation only ever loses precision, never a match:
 *
 * - a literal character is itself; a class of at most MAX_CLASS characters (after case folding) is
 *   the set of them; any other class, `.`, a back-reference or a character outside ASCII is
 *   "unknown", which ends a literal;
 * - assertions (`^ $ \b`, look-arounds) match the empty string: they add nothing and end nothing;
 * - `x?` and `x{0,1}` add the empty string to x's strings; `x*`, `x{0,n}` are unknown;
 *   `x{m,n}` with m ≥ 1 keeps what x requires (x occurs at least once);
 * - a sequence concatenates while the product stays small, and otherwise keeps the most selective
 *   of its parts' sets (any one required part is enough);
 * - an alternation is the union of its branches' sets, and unknown if one branch is.
 *
 * Under `i` with `u`, Unicode case folding maps U+017F to `s` and U+212A to `k`: those two letters
 * count as unknown then (the scanned text is NFKC anyway, which removes both).
 */

const MAX_SET = 64;
const MAX_CLASS = 4;
const MAX_LEN = 24;

/** What a sub-pattern matches: `exact` = every string it can match (when few), else a required set. */
interface Info {
  readonly exact: ReadonlySet<string> | null;
  /** Every match contains one of these; null = nothing known. Only meaningful when exact is null. */
  readonly match: ReadonlySet<string> | null;
}

const ANY: Info = { exact: null, match: null };
const EMPTY: Info = { exact: new Set(['']), match: null };

function asMatch(x: Info): ReadonlySet<string> | null {
  if (x.exact === null) return x.match;
  if (x.exact.has('')) return null;
  return x.exact;
}

/** Higher is more selective: the shortest literal's length, then fewer literals. */
function quality(m: ReadonlySet<string> | null): number {
  if (m === null || m.size === 0) return -1;
  let min = Number.POSITIVE_INFINITY;
  for (const s of m) min = Math.min(min, s.length);
  return min * 1000 - m.size;
}

function best(a: ReadonlySet<string> | null, b: ReadonlySet<string> | null): ReadonlySet<string> | null {
  return quality(b) > quality(a) ? b : a;
}

function concat(parts: readonly Info[]): Info {
  // `run`: every string the unbroken run of exact parts so far can match; `match`: the best
  // required set of the parts already closed.
  let run = new Set<string>(['']);
  let whole = true;
  let match: ReadonlySet<string> | null = null;
  const close = (): void => {
    match = best(match, asMatch({ exact: run, match: null }));
    whole = false;
  };
  for (const p of parts) {
    if (p.exact !== null) {
      if (run.size * p.exact.size <= MAX_SET) {
        const prod = new Set<string>();
        for (const a of run) for (const b of p.exact) prod.add(a + b);
        if ([...prod].every((s) => s.length <= MAX_LEN)) {
          run = prod;
          continue;
        }
      }
      close();
      run = new Set(p.exact);
    } else {
      close();
      match = best(match, p.match);
      run = new Set(['']);
    }
  }
  if (whole) return { exact: run, match: null };
  close();
  return { exact: null, match };
}

function union(branches: readonly Info[]): Info {
  if (branches.every((b) => b.exact !== null)) {
    const all = new Set<string>();
    for (const b of branches) for (const s of b.exact as ReadonlySet<string>) all.add(s);
    if (all.size <= MAX_SET) return { exact: all, match: null };
  }
  const all = new Set<string>();
  for (const b of branches) {
    const m = asMatch(b);
    if (m === null) return ANY;
    for (const s of m) all.add(s);
  }
  return { exact: null, match: all };
}

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly unicodeFold: boolean,
  ) {}

  parse(): Info {
    const r = this.alternation();
    if (this.i !== this.src.length) throw new Error(`required-literals: unexpected ")" at ${this.i}`);
    return r;
  }

  private alternation(): Info {
    const branches = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      branches.push(this.sequence());
    }
    return branches.length === 1 ? (branches[0] as Info) : union(branches);
  }

  private sequence(): Info {
    const parts: Info[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      parts.push(this.quantified(this.atom()));
    }
    return concat(parts);
  }

  private quantified(x: Info): Info {
    const c = this.src[this.i];
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Number.POSITIVE_INFINITY;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (m === null) return x; // a literal brace
      this.i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
    } else return x;
    if (this.src[this.i] === '?') this.i++; // lazy
    if (min === 0 && max === 1 && x.exact !== null) return { exact: new Set([...x.exact, '']), match: null };
    // `x*`, `x{0,n}`: the empty string or anything: nothing required, and the sequence is broken.
    if (min === 0) return ANY;
    if (min === 1 && max === 1) return x;
    if (x.exact !== null && min === max && min <= 4) return concat(Array.from({ length: min }, () => x));
    return { exact: null, match: asMatch(x) };
  }

  private char(c: string): Info {
    const code = c.charCodeAt(0);
    if (code >= 128) return ANY;
    const lower = c.toLowerCase();
    if (this.unicodeFold && (lower === 's' || lower === 'k')) return ANY;
    return { exact: new Set([lower]), match: null };
  }

  private atom(): Info {
    const c = this.src[this.i++] as string;
    if (c === '(') return this.group();
    if (c === '[') return this.charClass();
    if (c === '.') return ANY;
    if (c === '^' || c === '$') return EMPTY;
    if (c === '\\') return this.escape(false) ?? EMPTY;
    return this.char(c);
  }

  private group(): Info {
    let look = false;
    if (this.src[this.i] === '?') {
      const rest = this.src.slice(this.i);
      const m = /^\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(rest);
      if (m === null) throw new Error(`required-literals: unsupported group at ${this.i}`);
      look = m[0] === '?=' || m[0] === '?!' || m[0] === '?<=' || m[0] === '?<!';
      this.i += m[0].length;
    }
    const inner = this.alternation();
    if (this.src[this.i] !== ')') throw new Error('required-literals: unclosed group');
    this.i++;
    return look ? EMPTY : inner;
  }

  /** An escape; null for an assertion (`\b`, `\B`). Inside a class, `\b` is a backspace. */
  private escape(inClass: boolean): Info | null {
    const c = this.src[this.i++] as string;
    if (c === 'b' && !inClass) return null;
    if (c === 'B') return null;
    if ('dDwWsS'.includes(c)) return ANY;
    if (c === 'p' || c === 'P') {
      const end = this.src.indexOf('}', this.i);
      this.i = end + 1;
      return ANY;
    }
    if (c === 'k' && this.src[this.i] === '<') {
      this.i = this.src.indexOf('>', this.i) + 1;
      return ANY;
    }
    if (/[1-9]/.test(c)) {
      while (/[0-9]/.test(this.src[this.i] ?? '')) this.i++;
      return ANY;
    }
    if (c === 'x') {
      const h = this.src.slice(this.i, this.i + 2);
      this.i += 2;
      return this.char(String.fromCharCode(Number.parseInt(h, 16)));
    }
    if (c === 'u') {
      if (this.src[this.i] === '{') {
        const end = this.src.indexOf('}', this.i);
        this.i = end + 1;
        return ANY;
      }
      const h = this.src.slice(this.i, this.i + 4);
      this.i += 4;
      return this.char(String.fromCharCode(Number.parseInt(h, 16)));
    }
    if (c === 'c' || c === '0') return ANY;
    const ctl: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v' };
    return this.char(ctl[c] ?? c);
  }

  private charClass(): Info {
    const negated = this.src[this.i] === '^';
    if (negated) this.i++;
    const chars = new Set<string>();
    let unknown = negated;
    while (this.i < this.src.length && this.src[this.i] !== ']') {
      let lo: string | null;
      if (this.src[this.i] === '\\') {
        this.i++;
        const e = this.escape(true);
        lo = e?.exact?.size === 1 ? ([...e.exact][0] as string) : null;
        if (lo === null) unknown = true;
      } else lo = this.src[this.i++] as string;
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.i + 1 < this.src.length) {
        this.i++;
        let hi: string | null;
        if (this.src[this.i] === '\\') {
          this.i++;
          const e = this.escape(true);
          hi = e?.exact?.size === 1 ? ([...e.exact][0] as string) : null;
        } else hi = this.src[this.i++] as string;
        if (lo === null || hi === null) unknown = true;
        else {
          const a = lo.charCodeAt(0);
          const b = hi.charCodeAt(0);
          if (b - a > 26) unknown = true;
          else
            for (let x = a; x <= b; x++)
              if (!this.addClassChar(chars, String.fromCharCode(x))) unknown = true;
        }
      } else if (lo !== null && !this.addClassChar(chars, lo)) unknown = true;
    }
    this.i++; // ]
    if (unknown || chars.size === 0 || chars.size > MAX_CLASS) return ANY;
    return { exact: chars, match: null };
  }

  /** False for a character whose case variants the scan cannot see (see the file comment). */
  private addClassChar(chars: Set<string>, c: string): boolean {
    if (c.charCodeAt(0) >= 128) return false;
    const l = c.toLowerCase();
    if (this.unicodeFold && (l === 's' || l === 'k')) return false;
    chars.add(l);
    return true;
  }
}

/**
 * Literals every match of `re` contains (lower case, case-insensitive), or null. Literals are
 * shortened to MAX_LEN characters' prefixes only through the product limit, never cut.
 */
export function requiredLiterals(re: RegExp): string[] | null {
  const fold = re.flags.includes('i');
  const unicodeFold = fold && (re.flags.includes('u') || re.flags.includes('v'));
  const info = new Parser(re.source, unicodeFold).parse();
  const m = asMatch(info);
  if (m === null || m.size === 0 || [...m].some((s) => s === '')) return null;
  // A literal that contains another adds nothing: the shorter one occurs wherever it does.
  const all = [...m];
  return all.filter((s) => !all.some((t) => t !== s && s.includes(t))).sort();
}
