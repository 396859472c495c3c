import type { ConsumerConfig } from '../../config/schema/auth.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { AuthMethod, Identity, Tier } from '../../identity.js';

/** A registered consumer as the authenticator uses it (compiled once at boot). */
export interface Consumer {
  readonly name: string;
  readonly tier: Tier;
  readonly aliases: readonly string[] | '*';
  readonly scopes: readonly string[] | undefined;
  readonly plan: string | null;
  readonly disabled: boolean;
}

export type ConsumerRegistry = ReadonlyMap<string, Consumer>;

export function compileConsumers(list: readonly ConsumerConfig[]): ConsumerRegistry {
  return new Map(
    list.map((c) => [
      c.name,
      Object.freeze({
        name: c.name,
        tier: c.tier,
        aliases: c.aliases === '*' ? '*' : Object.freeze([...c.aliases]),
        scopes: c.scopes === undefined ? undefined : Object.freeze([...c.scopes]),
        plan: c.plan,
        disabled: c.disabled,
      }),
    ]),
  );
}

/** What a credential claims about itself; the registry entry is the ceiling it is narrowed to. */
export interface Claimed {
  readonly method: AuthMethod;
  readonly agent: string | null;
  readonly session: string | null;
  readonly tier?: Tier | null;
  readonly aliases?: readonly string[] | null;
  readonly scopes?: readonly string[] | null;
  readonly plan?: string | null;
}

export interface RequestFacts {
  readonly sourceIp: string;
  readonly userAgent: string;
}

export function narrowAliases(
  ceiling: readonly string[] | '*',
  claimed: readonly string[] | '*' | null | undefined,
): readonly string[] | '*' {
  if (claimed === null || claimed === undefined || claimed === '*') return ceiling;
  if (ceiling === '*') return claimed;
  return claimed.filter((a) => ceiling.includes(a));
}

function narrowScopes(
  ceiling: readonly string[] | undefined,
  claimed: readonly string[] | null | undefined,
): readonly string[] {
  if (claimed === null || claimed === undefined) return ceiling ?? [];
  if (ceiling === undefined) return claimed;
  return claimed.filter((s) => ceiling.includes(s));
}

export function identityFor(consumer: Consumer, claimed: Claimed, facts: RequestFacts): Identity {
  if (consumer.disabled) throw new GatehouseError('GH_ERR_AUTH_CONSUMER_DISABLED');
  const tier = claimed.tier ?? consumer.tier;
  return Object.freeze({
    consumer: consumer.name,
    agent: claimed.agent,
    session: claimed.session,
    tier: Math.min(tier, consumer.tier) as Tier,
    method: claimed.method,
    scopes: Object.freeze([...narrowScopes(consumer.scopes, claimed.scopes)]),
    aliases: narrowAliases(consumer.aliases, claimed.aliases),
    plan: claimed.plan ?? consumer.plan,
    sourceIp: facts.sourceIp,
    userAgent: facts.userAgent,
  });
}

/** A consumer known only from a trusted issuer's token (`requireRegisteredConsumer: false`). */
export function unregisteredConsumer(name: string, tier: Tier): Consumer {
  return { name, tier, aliases: '*', scopes: undefined, plan: null, disabled: false };
}
