import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { parseGitleaksToml, toRuleFile } from '../../../scripts/refresh-secret-rules.js';
import { createSecretsDetector } from '../../../src/guard/detectors/secrets.js';
import { basicCredential } from '../../../src/guard/detectors/secrets-context.js';
import { hasSequence, isPlaceholderSecret } from '../../../src/guard/detectors/secrets-placeholder.js';
import {
  loadVendoredRules,
  SKIPPED_RULES,
  type VendoredRuleFile,
  vendoredHits,
  scanned as vendoredScanned,
} from '../../../src/guard/detectors/secrets-vendored.js';
import { scan } from './helpers.js';

// Every example here is made up for this file (random bodies from a seeded generator), not a row of
// the secrets dev set.
const detector = createSecretsDetector({ allowlist: [], keywordEntropy: true, publicIp: false });
const found = (text: string): Array<{ type: string; value: string }> =>
  scan(detector, text).map((f) => ({
    type: f.type,
    value: f.span ? text.slice(f.span.start, f.span.end) : '',
  }));
const rand = (
  n: number,
  seed: number,
  alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789',
) => {
  // mulberry32: the low bits of a plain LCG repeat, which reads as a placeholder.
  let a = seed >>> 0;
  let s = '';
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    s += alphabet[((t ^ (t >>> 14)) >>> 0) % alphabet.length];
  }
  return s;
};
const hex = (n: number, seed: number) => rand(n, seed, '0123456789abcdef');
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('secrets: placeholders that keep a real prefix', () => {
  it.each([
    'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    'xoxp-1234567890',
    'xoxb-1234567890-1234567890-xxxxxxxxxxxxxxxxxxxxxxxx',
    'sk_live_your_key_here',
    'OPENAI_API_KEY=<your-openai-key>',
    'AKIAABCDEFGHIJKLMNOP',
    `ghp_${'abc'.repeat(12)}`,
    'glpat-00000000000000000000',
    'npm_ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ',
    'export STRIPE_KEY=sk_live_{{ stripe_secret }}',
  ])('%s does not fire', (text) => {
    expect(found(text)).toEqual([]);
  });

  it('while the same prefixes with random bodies do', () => {
    expect(found(`ghp_${rand(36, 3)}`).map((f) => f.type)).toContain('GITHUB_TOKEN');
    expect(found(`xoxp-${rand(12, 4, '0123456789')}-${rand(24, 5)}`).length).toBeGreaterThan(0);
    expect(found(`AKIA${rand(16, 6, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`).map((f) => f.type)).toContain(
      'AWS_ACCESS_KEY',
    );
  });

  it('names the shapes', () => {
    expect(hasSequence('k9123456q')).toBe(true);
    expect(hasSequence('zyxwvu')).toBe(true);
    expect(hasSequence(rand(40, 9))).toBe(false);
    expect(isPlaceholderSecret('sk-proj-REPLACE_WITH_YOUR_KEY')).toBe(true);
    expect(isPlaceholderSecret(`sk-proj-${rand(48, 10)}`)).toBe(false);
  });
});

describe('secrets: the keyword rule needs a secret context', () => {
  it.each([
    `csrf_token = "${hex(32, 11)}"`,
    `<input type="hidden" name="authenticity_token" value="${b64(rand(24, 12))}">`.replace(
      'authenticity_token',
      'xsrf_token',
    ),
    'request_id: 3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7b9c0d',
    'token: 3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7b9c0d',
    `commit_sha=${hex(40, 13)}`,
    `token_id = ${hex(24, 14)}`,
    'max_tokens: 4096000000',
  ])('%s does not fire', (text) => {
    expect(found(text)).toEqual([]);
  });

  it.each([
    ['api_key = 3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7b9c0d', '3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7b9c0d'],
    [`client_secret: ${hex(32, 15)}`, hex(32, 15)],
    [`DB_PASSWORD="${rand(10, 16)}!7"`, `${rand(10, 16)}!7`],
  ])('%s fires on the value', (text, value) => {
    expect(found(text).map((f) => f.value)).toContain(value);
  });
});

describe('secrets: HTTP authorisation, token headers and curl', () => {
  const pass = `${rand(9, 21)}#4`;
  it('curl -u user:pass', () => {
    const hits = found(`curl -s -u deploy:${pass} https://api.internal.example/v2/builds`);
    expect(hits.some((f) => f.value.includes(pass))).toBe(true);
    expect(found('curl -u deploy:$DEPLOY_PASSWORD https://api.internal.example/')).toEqual([]);
    expect(found('curl -u user:password https://api.internal.example/')).toEqual([]);
  });

  it('Authorization: Basic <base64 of user:pass>', () => {
    const cred = b64(`ci-bot:${pass}`);
    expect(basicCredential(cred)).toEqual({ user: 'ci-bot', pass });
    expect(found(`Authorization: Basic ${cred}`).map((f) => f.value)).toContain(cred);
    expect(found(`Authorization: Basic ${b64('user:<password>')}`)).toEqual([]);
    expect(found('WWW-Authenticate: Basic realm="staging"')).toEqual([]);
  });

  it('custom token headers', () => {
    const key = rand(28, 22);
    expect(found(`x-api-key: ${key}`).map((f) => f.value)).toContain(key);
    expect(found(`PRIVATE-TOKEN: ${rand(20, 23)}`).length).toBe(1);
    expect(found(`Ocp-Apim-Subscription-Key: ${hex(32, 24)}`).length).toBe(1);
    expect(found('X-Request-Id: 3f2b8c1e-9d4a-4e7b-8c2d-1a5f6e7b9c0d')).toEqual([]);
    expect(found(`X-CSRF-Token: ${rand(32, 25)}`)).toEqual([]);
    expect(found('x-api-key: $SERVICE_KEY')).toEqual([]);
  });
});

describe('secrets: vendored provider rules (gitleaks)', () => {
  it('every vendored rule compiles under re2js', () => {
    const v = loadVendoredRules();
    expect(v.rules.length).toBeGreaterThan(150);
    for (const r of v.rules) expect(() => RE2JS.compile(r.regex), r.id).not.toThrow();
  });

  it('carries its source and attribution', () => {
    const file = JSON.parse(
      readFileSync(new URL('../../../models/secrets-gitleaks.json', import.meta.url), 'utf8'),
    ) as VendoredRuleFile;
    expect(file.source.license).toBe('MIT');
    expect(file.attribution).toMatch(/gitleaks/);
    expect(
      existsSync(fileURLToPath(new URL('../../../models/secrets-gitleaks.NOTICE.md', import.meta.url))),
    ).toBe(true);
    for (const id of Object.keys(SKIPPED_RULES)) expect(file.rules.some((r) => r.id === id)).toBe(true);
  });

  it.each([
    ['ADAFRUIT_API_KEY', () => `ADAFRUIT_IO_KEY = "${rand(32, 31, 'abcdefghijklmnopqrstuvwxyz0123456789')}"`],
    ['AGE_SECRET_KEY', () => `AGE-SECRET-KEY-1${rand(58, 32, 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L')}`],
    [
      '1PASSWORD_SECRET_KEY',
      () =>
        `A3-${rand(6, 33, 'ABCDEFGHJKLMNPQRSTVWXYZ23456789')}-${rand(11, 34, 'ABCDEFGHJKLMNPQRSTVWXYZ23456789')}-${rand(5, 35, 'ABCDEFGHJKLMNPQRSTVWXYZ23456789')}-${rand(5, 36, 'ABCDEFGHJKLMNPQRSTVWXYZ23456789')}-${rand(5, 37, 'ABCDEFGHJKLMNPQRSTVWXYZ23456789')}`,
    ],
    ['PLANETSCALE_PASSWORD', () => `pscale_pw_${rand(43, 38)}`],
  ])('finds %s, which only the vendored set knows', (type, make) => {
    expect(found(make()).map((f) => f.type)).toContain(type);
  });

  it('parses the TOML subset of the refresh script', () => {
    const toml = `title = "t"
[allowlist]
stopwords = ["abc",
  "def"]
[[rules]]
id = "demo-token"
description = "Demo"
regex = '''demo_[a-z0-9]{8}'''
entropy = 2.5
keywords = ["DEMO_"]
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''^#''']
`;
    expect(parseGitleaksToml(toml).rules).toHaveLength(1);
    const file = toRuleFile(toml, '0.0.0');
    expect(file.allowlist.stopwords).toEqual(['abc', 'def']);
    expect(file.rules[0]).toEqual({
      id: 'demo-token',
      description: 'Demo',
      regex: 'demo_[a-z0-9]{8}',
      entropy: 2.5,
      keywords: ['demo_'],
      allowlists: [{ regexTarget: 'line', regexes: ['^#'] }],
    });
  });
});

describe('secrets: vendored rules scan only windows around their keywords', () => {
  const v = loadVendoredRules();
  const whole = { ...v, rules: v.rules.map((r) => ({ ...r, wholeText: true })) };
  const texts = [
    `deploy notes\nADAFRUIT_IO_KEY = "${rand(32, 41, 'abcdefghijklmnopqrstuvwxyz0123456789')}"\nthanks`,
    `We ask the task owner. The glasses. ${'Lorem ipsum dolor sit amet. '.repeat(20)} pscale_pw_${rand(43, 42)} end`,
    `yandex:\n  key: "AQVN${rand(36, 43)}"`,
    `curl -u admin:${rand(12, 44)} https://ci.internal.example/api`,
    `twitter_secret = '${rand(50, 45, 'abcdefghijklmnopqrstuvwxyz0123456789')}'`,
  ];
  it.each(texts.map((t, i) => [i, t] as const))('text %i: same findings as a whole-text scan', (_i, text) => {
    const lower = text.toLowerCase();
    expect(vendoredHits(v, text, lower)).toEqual(vendoredHits(whole, text, lower));
  });

  it('the comparison has findings to compare', () => {
    expect(texts.filter((t) => vendoredHits(v, t, t.toLowerCase()).length > 0).length).toBeGreaterThanOrEqual(
      3,
    );
  });

  it('hands re2js nothing for prose whose keyword hits are ordinary words', () => {
    const prose = 'We ask about the task. Ask the desk. The glasses. Keys, apis, and tokens are words here.';
    const before = vendoredScanned();
    expect(vendoredHits(v, prose, prose.toLowerCase())).toEqual([]);
    expect(vendoredScanned() - before).toBe(0);
  });
});
