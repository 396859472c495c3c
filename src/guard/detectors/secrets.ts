/**
 * Secrets and credentials: provider token formats (our own in secrets-rules.ts, then gitleaks' rule
 * set in secrets-vendored.ts), values named by their context (secrets-context.ts: keywords, HTTP
 * authorisation and token headers, curl -u) and public IPv4 addresses. Documented example values and
 * placeholders that keep a real prefix (secrets-placeholder.ts) are never reported, so that pasted
 * documentation does not trip the gateway.
 */

import { internalError } from '../../pipeline/require.js';
import { matchAll } from '../match-all.js';
import { mayMatch } from '../prefilter.js';
import type { Detector, Finding, ScanInput } from '../types.js';
import { CONTEXT_PATTERNS, contextHits } from './secrets-context.js';
import { isPlaceholderSecret } from './secrets-placeholder.js';
import { compileSecretsPrefilter, type SecretsScan, scanSecrets } from './secrets-prefilter.js';
import { SECRET_RULES } from './secrets-rules.js';
import {
  loadVendoredRules,
  type VendoredRules,
  vendoredHitsAt,
  keywordPositions as vendoredKeywords,
} from './secrets-vendored.js';

export interface SecretsOptions {
  /** Exact values never reported (in addition to the documented provider examples). */
  readonly allowlist: readonly string[];
  /** Keyword-anchored values (`api_key = ...`) judged by entropy and character classes. */
  readonly keywordEntropy: boolean;
  /** Public (routable) IPv4 addresses count as infrastructure secrets. */
  readonly publicIp: boolean;
  /** gitleaks' provider rules (models/secrets-gitleaks.json); on unless false. */
  readonly vendoredRules?: boolean;
  /**
   * Report nothing on a text that prefilter.ts's `mayMatch` rules out (the input guard's gate; its
   * decoded views are gated on their own). Computed inside the detector's one literal scan.
   */
  readonly gate?: boolean;
  /**
   * False runs every pattern on every text, as before the literal prefilter: the reference that
   * test/unit/guard/secrets-prefilter.test.ts holds the prefiltered detector to. Default true.
   */
  readonly literalPrefilter?: boolean;
}

/** Example values published in provider documentation. */
export const DOCUMENTED_EXAMPLES: readonly string[] = [
  'AKIAIOSFODNN7EXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'ASIAIOSFODNN7EXAMPLE',
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
  'sk_test_BQokikJOvBiI2HlWgH4olfQ2',
  'pk_test_TYooMQauvdEDq54NiTphI7jx',
  'xoxb-not-a-real-token-this-will-not-work',
  'ghp_16C7e42F292c6912E7710c838347Ae178B4a',
];
// Vendor docs mark fake values with these words; a real key never contains them.
const EXAMPLE_MARKER =
  /EXAMPLE|DUMMY|SAMPLE|PLACEHOLDER|FAKE[_-]?KEY|YOUR[_-]?(?:API[_-]?)?(?:KEY|TOKEN|SECRET)/i;

const IPV4 = /(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d]|\.\d)/g;

function octetsValid(parts: readonly string[]): boolean {
  return parts.every((p) => !(p.length > 1 && p.startsWith('0')) && Number(p) <= 255);
}

/** Routable unicast IPv4: not private, loopback, link-local, CGNAT, multicast, reserved or documentation. */
export function isPublicIpv4(a: number, b: number, c: number): boolean {
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
  if (a === 100 && b >= 64 && b <= 127) return false;
  if (a === 169 && b === 254) return false;
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return false;
  if (a === 198 && (b === 18 || b === 19)) return false;
  if ((a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113)) return false;
  return true;
}

// Characters that cannot be part of a token: whitespace, quotes, brackets and list separators.
const BREAK = new Uint8Array(128);
for (const c of ' \t\n\r\f\v"\'`,;()<>[]{}|\\') BREAK[c.charCodeAt(0)] = 1;
const MIN_RUN = 10;

interface Runs {
  /** The candidate runs joined by newlines. */
  readonly joined: string;
  /** [start in joined, start in text] of each run, ascending. */
  readonly at: Array<[number, number]>;
}

/**
 * Token-shaped runs of at least MIN_RUN characters, joined: provider tokens live inside one run, and
 * ordinary prose has few runs that long, so the token rules scan a small fraction of the text.
 */
function tokenRuns(text: string): Runs {
  let joined = '';
  const at: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    const brk = c < 128 ? BREAK[c] === 1 : c === 0xa0 || c === 0x2028 || c === 0x2029;
    if (!brk) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start >= MIN_RUN) {
      at.push([joined.length, start]);
      joined += `${text.slice(start, i)}\n`;
    }
    start = -1;
  }
  return { joined, at };
}

function toText(runs: Runs, pos: number): number {
  let lo = 0;
  let hi = runs.at.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    // 0 <= lo < mid <= hi < runs.at.length: the run exists.
    if ((runs.at[mid]?.[0] ?? Number.POSITIVE_INFINITY) <= pos) lo = mid;
    else hi = mid - 1;
  }
  const run = runs.at[lo];
  if (run === undefined) throw internalError('secret decoding: no offset run');
  const [j, t] = run;
  return t + (pos - j);
}

/** Every pattern may run; keywords found the way gitleaks finds them (the reference path). */
function unfiltered(vendored: VendoredRules | null, text: string): SecretsScan {
  const found =
    vendored === null ? new Map<string, number[]>() : vendoredKeywords(vendored, text.toLowerCase());
  return {
    mayMatch: mayMatch(text),
    digit: true,
    mayRun: () => true,
    keywordAt: (k) => found.get(k),
    keywords: [...found.keys()],
  };
}

export function createSecretsDetector(opts: SecretsOptions): Detector {
  const allow = new Set([...DOCUMENTED_EXAMPLES, ...opts.allowlist]);
  const allowed = (v: string): boolean => allow.has(v) || EXAMPLE_MARKER.test(v);
  const vendored: VendoredRules | null = opts.vendoredRules === false ? null : loadVendoredRules();
  const prefilter = compileSecretsPrefilter(
    [...SECRET_RULES.map((r) => r.re), ...CONTEXT_PATTERNS],
    vendored,
  );

  const detect = ({ text }: ScanInput): Finding[] => {
    const out: Finding[] = [];
    const scan = opts.literalPrefilter === false ? unfiltered(vendored, text) : scanSecrets(prefilter, text);
    if (opts.gate === true && !scan.mayMatch) return out;
    const taken: Array<[number, number]> = [];
    const add = (type: string, score: number, start: number, end: number): void => {
      // The first (most specific) rule wins an overlapping span.
      if (taken.some(([s, e]) => start < e && end > s)) return;
      taken.push([start, end]);
      out.push({ detector: 'secrets', type, score, span: { start, end } });
    };
    let runs: Runs | null = null;
    for (const rule of SECRET_RULES) {
      if (!scan.mayRun(rule.re)) continue;
      if (!rule.context) runs ??= tokenRuns(text);
      const hay = rule.context ? text : (runs as Runs).joined;
      if (hay === '') continue;
      for (const m of matchAll(rule.re, hay)) {
        const g = rule.group ?? 0;
        const value = m[g];
        if (value === undefined || allowed(value) || (rule.validate && !rule.validate(value))) continue;
        if ((!rule.context || rule.group !== undefined) && isPlaceholderSecret(value)) continue;
        const at = g === 0 ? m.index : m.index + m[0].lastIndexOf(value);
        const start = rule.context ? at : toText(runs as Runs, at);
        add(rule.type, rule.score, start, start + value.length);
      }
    }
    if (vendored !== null) {
      for (const h of vendoredHitsAt(vendored, text, scan.keywords, scan.keywordAt)) {
        if (allowed(h.value) || isPlaceholderSecret(h.value)) continue;
        add(h.type, 0.9, h.start, h.end);
      }
    }
    if (opts.keywordEntropy) {
      for (const [type, start, end] of contextHits(text, scan.mayRun)) {
        if (allowed(text.slice(start, end))) continue;
        add(type, type === 'PASSWORD' || type === 'KEYWORD_SECRET' ? 0.8 : 0.85, start, end);
      }
    }
    // An address is digits: a text without one skips the pattern.
    if (opts.publicIp && scan.digit) {
      for (const m of matchAll(IPV4, text)) {
        const [, a, b, c, d] = m;
        if (a === undefined || b === undefined || c === undefined || d === undefined) continue;
        const parts = [a, b, c, d];
        if (!octetsValid(parts) || !isPublicIpv4(Number(parts[0]), Number(parts[1]), Number(parts[2])))
          continue;
        add('PUBLIC_IP', 0.6, m.index, m.index + m[0].length);
      }
    }
    return out;
  };
  return { name: 'secrets', detect };
}
