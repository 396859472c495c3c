import { RE2JS } from 're2js';
import type { ArgConstraint } from '../../config/schema/tools.js';
import type { ErrorCode } from '../../errors/catalog.js';
import { hostsAllowed } from './hosts.js';
import { pathAllowed } from './paths.js';

export interface ConstraintViolation {
  readonly code: ErrorCode;
  /** The argument name and the rule, never the value. */
  readonly detail: string;
}

export type ConstraintCheck = (args: Record<string, unknown>) => ConstraintViolation | null;

type Rule = (v: unknown) => ConstraintViolation | null;

const fail = (code: ErrorCode, arg: string, rule: string): ConstraintViolation => ({
  code,
  detail: `${arg}: ${rule}`,
});

/** One argument's rules, compiled once (RE2 patterns, sets for enums). */
function compileArg(arg: string, c: ArgConstraint): Rule[] {
  const rules: Rule[] = [];
  const C = 'GH_ERR_TOOL_ARGS_CONSTRAINT' as const;
  if (c.minimum !== undefined) {
    const min = c.minimum;
    rules.push((v) => (typeof v === 'number' && v < min ? fail(C, arg, 'minimum') : null));
  }
  if (c.maximum !== undefined) {
    const max = c.maximum;
    rules.push((v) => (typeof v === 'number' && v > max ? fail(C, arg, 'maximum') : null));
  }
  if (c.enum !== undefined) {
    const allowed = new Set<unknown>(c.enum);
    rules.push((v) => (allowed.has(v) ? null : fail(C, arg, 'enum')));
  }
  if (c.maxLength !== undefined) {
    const max = c.maxLength;
    rules.push((v) => (typeof v === 'string' && [...v].length > max ? fail(C, arg, 'maxLength') : null));
  }
  if (c.pattern !== undefined) {
    const re = RE2JS.compile(c.pattern);
    rules.push((v) => (typeof v === 'string' && !re.matches(v) ? fail(C, arg, 'pattern') : null));
  }
  if (c.allowedRoots !== undefined) {
    const roots = c.allowedRoots;
    rules.push((v) =>
      strings(v).every((s) => pathAllowed(s, roots))
        ? null
        : fail('GH_ERR_TOOL_ARGS_PATH', arg, 'allowedRoots'),
    );
  }
  if (c.allowedHosts !== undefined) {
    const hosts = c.allowedHosts;
    rules.push((v) =>
      strings(v).every((s) => hostsAllowed(s, hosts))
        ? null
        : fail('GH_ERR_TOOL_ARGS_HOST', arg, 'allowedHosts'),
    );
  }
  return rules;
}

/** A string argument, or each string of an array argument (a list of paths, of URLs). */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/**
 * The operator's constraints on top of the tool's schema, per top-level argument. An absent
 * argument passes (the schema decides whether it is required).
 */
export function compileConstraints(constraints: Readonly<Record<string, ArgConstraint>>): ConstraintCheck {
  const compiled = Object.entries(constraints).map(([arg, c]) => [arg, compileArg(arg, c)] as const);
  if (compiled.length === 0) return () => null;
  return (args) => {
    for (const [arg, rules] of compiled) {
      if (!Object.hasOwn(args, arg)) continue;
      const v = args[arg];
      for (const r of rules) {
        const bad = r(v);
        if (bad !== null) return bad;
      }
    }
    return null;
  };
}
