import { KILL_SCOPES, type KillScope } from '../../config/schema/resilience.js';

/** One engaged kill switch: what it covers, who engaged it and why (for /health, the audit and the CLI). */
export interface KillEntry {
  readonly scope: KillScope;
  /** Route alias, consumer name, deployment (pinned model id) or tool server; '*' for `all`. */
  readonly target: string;
  readonly reason: string;
  readonly by: string;
  /** Epoch ms. */
  readonly at: number;
  /** `store`: engaged through the CLI or the admin API; `file`: the on-disk flag. */
  readonly source: 'store' | 'file';
}

const TARGET = /^[A-Za-z0-9*][A-Za-z0-9._:@/*-]{0,127}$/;

export const isKillScope = (s: unknown): s is KillScope =>
  typeof s === 'string' && (KILL_SCOPES as readonly string[]).includes(s);

/** The map field of an entry: one entry per scope and target. */
export const killField = (scope: KillScope, target: string): string =>
  scope === 'all' ? 'all' : `${scope}:${target}`;

/** Checks scope, target and reason from an operator (CLI, admin body, file flag); returns the problem or null. */
export function checkKillRequest(scope: unknown, target: unknown, reason: unknown): string | null {
  if (!isKillScope(scope)) return `scope must be one of ${KILL_SCOPES.join(', ')}`;
  if (scope !== 'all' && (typeof target !== 'string' || !TARGET.test(target)))
    return `scope ${scope} needs a target (letters, digits and . _ : @ / - *, max 128)`;
  if (typeof reason !== 'string' || reason.trim().length < 3 || reason.length > 512)
    return 'a reason (3 to 512 characters) is required';
  return null;
}

/** A stored entry, checked field by field (a malformed one is dropped, never trusted). */
export function parseKillEntry(raw: unknown): KillEntry | null {
  if (raw === null || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  if (!isKillScope(r.scope) || typeof r.target !== 'string' || typeof r.reason !== 'string') return null;
  return {
    scope: r.scope,
    target: r.target,
    reason: r.reason.slice(0, 512),
    by: typeof r.by === 'string' ? r.by.slice(0, 128) : 'unknown',
    at: typeof r.at === 'number' ? r.at : 0,
    source: r.source === 'file' ? 'file' : 'store',
  };
}
