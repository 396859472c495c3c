/**
 * Provider rules maintained by others: gitleaks' default rule config (MIT), vendored as data in
 * models/secrets-gitleaks.json by scripts/refresh-secret-rules.ts (attribution in
 * models/secrets-gitleaks.NOTICE.md). The regexes are RE2 syntax, run by re2js (linear time:
 * third-party patterns never run on the backtracking engine). Compiling all ~210 takes about a second
 * of CPU, which every process that boots a gateway (and every test file) would pay although most rules
 * never see their keyword: so the file is read and its allowlists compiled at boot, and each rule's
 * regex is compiled once, the first time its keyword occurs, then kept for the process. As in gitleaks, a rule
 * runs only when one of its keywords occurs in the lower-cased text, its secret is the first
 * non-empty capture group, a secret at or under the rule's entropy is dropped, and the rule's and the
 * global allowlists (regexes on the secret, the match or the line; stopwords) apply. Allowlists that
 * need a file path cannot apply to a prompt and are ignored.
 */
import { readFileSync } from 'node:fs';
import { RE2JS } from 're2js';
import { shannonEntropy } from './secrets-context.js';

export interface VendoredAllowlist {
  readonly regexTarget?: string;
  readonly condition?: string;
  readonly regexes?: readonly string[];
  readonly stopwords?: readonly string[];
  readonly paths?: readonly string[];
}

export interface VendoredRule {
  readonly id: string;
  readonly description: string;
  readonly regex: string;
  readonly entropy?: number;
  readonly secretGroup?: number;
  readonly keywords: readonly string[];
  readonly allowlists?: readonly VendoredAllowlist[];
}

export interface VendoredRuleFile {
  readonly source: { package: string; version: string; file: string; upstream: string; license: string };
  readonly attribution: string;
  readonly allowlist: VendoredAllowlist;
  readonly rules: readonly VendoredRule[];
}

/**
 * Rules not loaded, with the reason. The gateway's own keyword rule (secrets-context.ts) replaces
 * gitleaks' generic one, which fires on CSRF tokens, hashes and ids after words such as "key".
 */
export const SKIPPED_RULES: Readonly<Record<string, string>> = {
  'generic-api-key': 'replaced by the keyword rule of secrets-context.ts (no CSRF tokens, UUIDs or hex ids)',
  jwt: "replaced by secrets-rules.ts's JWT rule, which also checks that header and payload decode to JSON",
};

/** A secret glued to more token characters is part of something longer (an id, a longer token). */
const TOKEN_CHAR = /[A-Za-z0-9_]/;

interface Allow {
  readonly target: 'secret' | 'match' | 'line';
  readonly regexes: readonly RE2JS[];
  readonly stopwords: readonly string[];
}

export interface CompiledRule {
  readonly id: string;
  /** Finding type: the rule id in upper snake case. */
  readonly type: string;
  readonly regex: string;
  /** The compiled regex, on first use (see the file comment). */
  re: RE2JS | null;
  readonly entropy: number;
  readonly secretGroup: number;
  readonly keywords: readonly string[];
  readonly allow: readonly Allow[];
  /** The pattern can span lines or run unbounded (`.*`, `\s+`): match on the whole text. */
  readonly wholeText: boolean;
  /** gitleaks' "name = value" shape: the keyword is a name followed by an assignment operator. */
  readonly assignment: boolean;
}

export interface VendoredRules {
  readonly rules: readonly CompiledRule[];
  readonly global: readonly Allow[];
  /** Every keyword by its first two character codes, for one pass over the text. */
  readonly byPair: ReadonlyMap<number, readonly string[]>;
  /** 1 where some keyword starts with that character code (below 128): most positions stop here. */
  readonly firstChar: Uint8Array;
  /** Indices (ascending) of the rules each keyword gates. */
  readonly rulesOf: ReadonlyMap<string, readonly number[]>;
}

const UNBOUNDED = /\.\*|\.\+|\.\{\d+,\}|\\s[*+]|\\s\{\d+,\}|\[\\s\\S\]|\(\?s/;

export const DEFAULT_RULES_URL = new URL('../../../models/secrets-gitleaks.json', import.meta.url);

function compileAllow(a: VendoredAllowlist): Allow | null {
  // A path condition can never hold for a prompt: an AND allowlist with paths never applies, and
  // a paths-only allowlist has nothing else to test.
  if (a.paths !== undefined && (a.condition === 'AND' || (!a.regexes && !a.stopwords))) return null;
  const target = a.regexTarget === 'match' || a.regexTarget === 'line' ? a.regexTarget : 'secret';
  return {
    target,
    regexes: (a.regexes ?? []).map((r) => RE2JS.compile(r)),
    stopwords: (a.stopwords ?? []).map((w) => w.toLowerCase()),
  };
}

export function compileVendoredRules(file: VendoredRuleFile): VendoredRules {
  const rules: CompiledRule[] = file.rules
    .filter((r) => !(r.id in SKIPPED_RULES))
    .map((r) => ({
      id: r.id,
      type: r.id.toUpperCase().replace(/[^A-Z0-9]+/g, '_'),
      regex: r.regex,
      re: null,
      entropy: r.entropy ?? 0,
      secretGroup: r.secretGroup ?? 0,
      keywords: r.keywords,
      allow: (r.allowlists ?? []).map(compileAllow).filter((a): a is Allow => a !== null),
      wholeText: UNBOUNDED.test(r.regex),
      assignment: r.regex.includes('(?:=|>|:{1,3}=|'),
    }));
  const byPair = new Map<number, string[]>();
  for (const k of new Set(rules.flatMap((r) => r.keywords))) {
    if (k.length < 2) throw new Error(`secret rules: keyword "${k}" is shorter than 2 characters`);
    const key = (k.charCodeAt(0) << 16) | k.charCodeAt(1);
    byPair.set(key, [...(byPair.get(key) ?? []), k]);
  }
  const firstChar = new Uint8Array(128);
  for (const key of byPair.keys()) if (key >>> 16 < 128) firstChar[key >>> 16] = 1;
  const global = compileAllow(file.allowlist);
  const rulesOf = new Map<string, number[]>();
  rules.forEach((r, i) => {
    for (const k of new Set(r.keywords)) rulesOf.set(k, [...(rulesOf.get(k) ?? []), i]);
  });
  return { rules, global: global === null ? [] : [global], byPair, firstChar, rulesOf };
}

const cache = new Map<string, VendoredRules>();

/** The rule file at `path`, read once per process and shared by every detector. */
export function loadVendoredRules(path: string | URL = DEFAULT_RULES_URL): VendoredRules {
  const key = String(path);
  let rules = cache.get(key);
  if (rules === undefined) {
    rules = compileVendoredRules(JSON.parse(readFileSync(path, 'utf8')) as VendoredRuleFile);
    cache.set(key, rules);
  }
  return rules;
}

function lineAround(text: string, start: number, end: number): string {
  const a = text.lastIndexOf('\n', start - 1) + 1;
  const b = text.indexOf('\n', end);
  return text.slice(a, b < 0 ? text.length : b);
}

function allowed(allow: readonly Allow[], secret: string, match: string, line: () => string): boolean {
  const lower = secret.toLowerCase();
  for (const a of allow) {
    if (a.stopwords.some((w) => lower.includes(w))) return true;
    const target = a.target === 'secret' ? secret : a.target === 'match' ? match : line();
    if (a.regexes.some((re) => re.matcher(target).find())) return true;
  }
  return false;
}

export interface VendoredHit {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly value: string;
}

/** Positions of every keyword in `lower`, in one pass (a per-rule `includes` costs ~2 ms on 4 KB). */
export function keywordPositions(rules: VendoredRules, lower: string): Map<string, number[]> {
  const at = new Map<string, number[]>();
  for (let i = 0; i + 1 < lower.length; i++) {
    const c = lower.charCodeAt(i);
    if (c < 128 && rules.firstChar[c] === 0) continue;
    const list = rules.byPair.get((c << 16) | lower.charCodeAt(i + 1));
    if (list === undefined) continue;
    for (const k of list) {
      if (!lower.startsWith(k, i)) continue;
      const l = at.get(k);
      if (l === undefined) at.set(k, [i]);
      else l.push(i);
    }
  }
  return at;
}

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
/** Keyword occurrences that cannot start a secret's context are skipped (see `windows`). */
/** gitleaks' name-to-operator gap: `(?:[ \t\w.-]{0,20})[\s'"]{0,3}` then the operator. */
const OPERATOR_AFTER = /^[ \t\w.-]{0,20}[\s'"]{0,3}(?:=|>|:|\|\||\?=|,)/;
const BEFORE = 80;
const AFTER = 400;
const MIN_TOKEN = 12;
/** Slack beyond BEFORE/AFTER when a window is cut inside a long token. */
const CUT_MARGIN = 64;

/**
 * Text windows around the keyword occurrences that can belong to a match, merged, each widened to
 * whitespace so that no token is cut (a window edge is then a real token boundary for `\b`, `$` and
 * the rules' terminators). A bounded gitleaks rule spans at most ~50 characters before its keyword
 * and ~260 after, and either the keyword sits inside a long token (a prefix such as `sk` or `ghp_`)
 * or, for the "name = value" rules, the name's token is followed by gitleaks' operator gap
 * (`adafruit_key = ...`): an occurrence with neither (the `sk` of "ask", the `s.` ending a sentence)
 * cannot be part of a match and is skipped. re2js costs ~0.2 µs per
 * character per rule, so scanning only these windows is what keeps the rules inside the budget.
 */
function windows(
  text: string,
  positions: readonly number[],
  kwLen: number,
  assignment: boolean,
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const p of positions) {
    let a = p;
    while (a > 0 && !isSpace(text.charCodeAt(a - 1))) a--;
    let b = p + kwLen;
    while (b < text.length && !isSpace(text.charCodeAt(b))) b++;
    const named = assignment && OPERATOR_AFTER.test(text.slice(p + kwLen, p + kwLen + 30));
    if (b - a < MIN_TOKEN && !named) continue;
    let start = Math.max(0, Math.min(a, p - BEFORE));
    while (start > 0 && !isSpace(text.charCodeAt(start - 1))) start--;
    let end = Math.min(text.length, Math.max(b, p + kwLen + AFTER));
    while (end < text.length && !isSpace(text.charCodeAt(end))) end++;
    // A match holding this keyword lies within BEFORE/AFTER of it: inside one long unbroken token
    // (kilobytes of random letters) the window stops there, or a few slow rules would scan the whole
    // token for every chance occurrence of their keyword (~100 ms per rule on 15 KB). matchIn drops a
    // match that touches such a cut, so cutting never invents one.
    start = Math.max(start, p - BEFORE - CUT_MARGIN);
    end = Math.min(end, p + kwLen + AFTER + CUT_MARGIN);
    const last = out.at(-1);
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

let scannedChars = 0;
/** Characters handed to re2js so far (all rules, all texts): lets a test count work, not time. */
export const scanned = (): number => scannedChars;

/** Findings of the vendored rules in `text`; `lower` is text.toLowerCase() (shared by the caller). */
export function vendoredHits(rules: VendoredRules, text: string, lower: string): VendoredHit[] {
  const found = keywordPositions(rules, lower);
  return vendoredHitsAt(rules, text, [...found.keys()], (k) => found.get(k));
}

/**
 * Findings of the vendored rules in `text`, given the keywords that occur in its lower case and their
 * positions (from keywordPositions or the secrets detector's one-pass scan, secrets-prefilter.ts).
 * Only the rules those keywords gate are looked at, in rule order.
 */
export function vendoredHitsAt(
  rules: VendoredRules,
  text: string,
  present: readonly string[],
  at: (keyword: string) => readonly number[] | undefined,
): VendoredHit[] {
  const out: VendoredHit[] = [];
  if (present.length === 0) return out;
  const gated = new Set<number>();
  for (const k of present) for (const i of rules.rulesOf.get(k) ?? []) gated.add(i);
  for (const i of [...gated].sort((a, b) => a - b)) {
    const rule = rules.rules[i] as CompiledRule;
    let spans: Array<[number, number]> = [];
    if (rule.wholeText) {
      if (rule.keywords.some((k) => at(k) !== undefined)) spans = [[0, text.length]];
    } else {
      for (const k of rule.keywords) {
        const pos = at(k);
        if (pos !== undefined) spans.push(...windows(text, pos, k.length, rule.assignment));
      }
      spans.sort((x, y) => x[0] - y[0]);
      spans = spans.reduce<Array<[number, number]>>((acc, w) => {
        const last = acc.at(-1);
        if (last !== undefined && w[0] <= last[1]) last[1] = Math.max(last[1], w[1]);
        else acc.push([w[0], w[1]]);
        return acc;
      }, []);
    }
    if (spans.length === 0) continue;
    rule.re ??= RE2JS.compile(rule.regex);
    for (const [from, to] of spans) {
      scannedChars += to - from;
      matchIn(rule, rules, text, from, to, out);
    }
  }
  return out;
}

function matchIn(
  rule: CompiledRule,
  rules: VendoredRules,
  text: string,
  from: number,
  to: number,
  out: VendoredHit[],
): void {
  const slice = from === 0 && to === text.length ? text : text.slice(from, to);
  const m = (rule.re as RE2JS).matcher(slice);
  // A window cut inside a token (see windows()): a match touching the cut could owe its `\b` or `^`
  // to the cut, not to the text.
  const cutLeft = from > 0 && TOKEN_CHAR.test(text[from - 1] ?? '');
  const cutRight = to < text.length && TOKEN_CHAR.test(text[to] ?? '');
  while (m.find()) {
    if ((cutLeft && m.start(0) === 0) || (cutRight && m.end(0) === slice.length)) continue;
    let g = rule.secretGroup;
    if (g === 0)
      for (let i = 1; i <= m.groupCount(); i++) {
        const s = m.group(i);
        if (s !== null && s !== '') {
          g = i;
          break;
        }
      }
    const secret = m.group(g) ?? '';
    if (secret === '') continue;
    if (rule.entropy > 0 && shannonEntropy(secret) <= rule.entropy) continue;
    const start = from + m.start(g);
    const end = from + m.end(g);
    if (TOKEN_CHAR.test(text[start - 1] ?? '') || TOKEN_CHAR.test(text[end] ?? '')) continue;
    const match = m.group(0) ?? '';
    const line = (): string => lineAround(text, start, end);
    if (allowed(rule.allow, secret, match, line) || allowed(rules.global, secret, match, line)) continue;
    out.push({ type: rule.type, start, end, value: secret });
  }
}
