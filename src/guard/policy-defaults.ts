/**
 * Built-in guard policy and its resolution per route: built-ins, then `guard.defaults`, then
 * `guard.routes[alias]`, merged one level deep per detector section.
 */
import type { ChatRole, GuardConfig, GuardPolicyInput } from '../config/schema/guard.js';
import type { HarmCategory } from '../formats/guard-names.js';
import type { RouteOverride } from '../pipeline/overrides.js';
import type { PiiEntity } from './detectors/pii.js';
import type { GuardAction } from './types.js';

export interface GuardPolicy {
  readonly injection: {
    readonly enabled: boolean;
    readonly action: GuardAction;
    readonly threshold: number;
    readonly indirectThreshold: number;
    readonly indirectAction: GuardAction;
    readonly offTaskThreshold: number;
  };
  readonly pii: {
    readonly enabled: boolean;
    readonly action: GuardAction;
    readonly entities: Partial<Record<PiiEntity, GuardAction>>;
  };
  readonly secrets: {
    readonly enabled: boolean;
    readonly action: GuardAction;
    readonly types: Record<string, GuardAction>;
  };
  readonly policy: {
    readonly enabled: boolean;
    readonly action: GuardAction;
    readonly deniedTopics: Record<string, string[]>;
    readonly deniedPatterns: string[];
    readonly deniedHarm: HarmCategory[];
    readonly maxMessages: number;
    readonly allowedRoles: ChatRole[];
  };
}

/**
 * Closed by default where the harm is clear (attacks, credentials), reversible redaction for direct
 * identifiers, and names and addresses allowed: they are in most ordinary prompts, so an operator
 * opts in per route.
 */
export const BUILTIN_POLICY: GuardPolicy = {
  injection: {
    enabled: true,
    action: 'block',
    threshold: 0.5,
    indirectThreshold: 0.5,
    indirectAction: 'block',
    offTaskThreshold: 0.5,
  },
  pii: {
    enabled: true,
    action: 'redact',
    entities: { PERSON: 'allow', ADDRESS: 'allow', IP_ADDRESS: 'allow' },
  },
  secrets: { enabled: true, action: 'block', types: { PUBLIC_IP: 'allow' } },
  policy: {
    enabled: true,
    action: 'block',
    deniedTopics: {},
    deniedPatterns: [],
    deniedHarm: [],
    maxMessages: 256,
    allowedRoles: ['system', 'developer', 'user', 'assistant', 'tool', 'function'],
  },
};

function merge<T extends object>(base: T, over: Partial<T> | undefined): T {
  return over === undefined ? base : ({ ...base, ...over } as T);
}

function layer(base: GuardPolicy, over: GuardPolicyInput | undefined): GuardPolicy {
  if (over === undefined) return base;
  return {
    injection: merge(base.injection, over.injection),
    pii: { ...merge(base.pii, over.pii), entities: { ...base.pii.entities, ...over.pii?.entities } },
    secrets: {
      ...merge(base.secrets, over.secrets),
      types: { ...base.secrets.types, ...over.secrets?.types },
    },
    policy: merge(base.policy, over.policy),
  };
}

export function resolvePolicy(cfg: GuardConfig, alias: string | null): GuardPolicy {
  const withDefaults = layer(BUILTIN_POLICY, cfg.defaults);
  return alias === null ? withDefaults : layer(withDefaults, cfg.routes[alias]);
}

/**
 * An operator's runtime action per detector section (src/pipeline/overrides.ts) over the resolved
 * policy. It replaces the section's action (both injection actions); per-entity and per-type
 * entries of the YAML stay, so a type the operator allowed by name stays allowed.
 */
export function withToggles(p: GuardPolicy, t: RouteOverride['guard']): GuardPolicy {
  if (t === undefined) return p;
  return {
    injection:
      t.injection === undefined
        ? p.injection
        : { ...p.injection, action: t.injection, indirectAction: t.injection },
    pii: t.pii === undefined ? p.pii : { ...p.pii, action: t.pii },
    secrets: t.secrets === undefined ? p.secrets : { ...p.secrets, action: t.secrets },
    policy: t.policy === undefined ? p.policy : { ...p.policy, action: t.policy },
  };
}
