import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { deepFreeze } from './freeze.js';
import { configSchema, type GatehouseConfig } from './schema/index.js';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** `routes[0].upstream.url` from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(root)' : out;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

/** Validates a plain object (already parsed) and returns the frozen config. */
export function parseConfig(raw: unknown): Readonly<GatehouseConfig> {
  const r = configSchema.safeParse(raw ?? {});
  if (!r.success) throw new ConfigError(formatIssues(r.error.issues));
  return deepFreeze(r.data);
}

export function parseConfigText(text: string): Readonly<GatehouseConfig> {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new ConfigError(doc.errors.map((e) => `yaml: ${e.message.split('\n')[0]}`));
  return parseConfig(doc.toJS({ maxAliasCount: 100 }));
}

export function loadConfigFile(file: string): Readonly<GatehouseConfig> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  return parseConfigText(text);
}
