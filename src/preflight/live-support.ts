import { hashApiKey } from '../formats/api-key.js';
import type { Config } from './config-facts.js';
import { ProbeClient, type ProbeResponse } from './probe-client.js';
import { type AuditInput, type CheckDef, fail, type Outcome, skipped } from './types.js';

/** Shared by the live checks: one client per run, the alias probed, the Gatehouse error code of an answer. */
const clients = new WeakMap<AuditInput, ProbeClient>();

export function clientOf(input: AuditInput): ProbeClient | null {
  if (input.target === null) return null;
  let c = clients.get(input);
  if (c === undefined) {
    c = new ProbeClient(input.target, input);
    clients.set(input, c);
  }
  return c;
}

export interface LiveNeeds {
  readonly key?: boolean;
  readonly alias?: boolean;
  readonly config?: boolean;
}

export interface LiveContext {
  readonly client: ProbeClient;
  readonly input: AuditInput;
  readonly alias: string;
  readonly config: Config | null;
}

/** A live check: skipped when the audit lacks what it needs; a probe that throws is a failure with its error. */
export function liveCheck(
  def: Omit<CheckDef, 'run' | 'kind'>,
  needs: LiveNeeds,
  run: (c: LiveContext) => Promise<Outcome>,
): CheckDef {
  return {
    ...def,
    kind: 'live',
    run: async (input) => {
      const client = clientOf(input);
      if (client === null) return skipped('no --target given');
      if (needs.key === true && input.apiKey === null)
        return skipped('needs a credential of a dedicated audit consumer (--api-key or GATEHOUSE_AUDIT_KEY)');
      const alias = input.model ?? input.config?.routes[0]?.alias ?? null;
      if (needs.alias === true && alias === null)
        return skipped('needs --model ALIAS (or a config with a route)');
      if (needs.config === true && input.config === null) return skipped('needs a valid --config');
      try {
        return await run({ client, input, alias: alias ?? '', config: input.config });
      } catch (err) {
        return fail(`probe error: ${(err as Error).message}`);
      }
    },
  };
}

export function errorCode(r: ProbeResponse): string | null {
  try {
    const j = JSON.parse(r.body) as { error?: { code?: unknown } };
    return typeof j.error?.code === 'string' ? j.error.code : null;
  } catch {
    return null;
  }
}

export const describe = (r: ProbeResponse): string => `${r.status}${errorCode(r) ? ` ${errorCode(r)}` : ''}`;

export const chatBody = (alias: string, content: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ model: alias, messages: [{ role: 'user', content }], max_tokens: 1, ...extra });

export const JSON_HEADERS = { 'content-type': 'application/json' } as const;

export const isRefusal = (r: ProbeResponse): boolean => r.status >= 400 && r.status < 500;

/** The audit consumer's request limit on the alias, found by the key's hash (unpeppered keys only). */
export function requestLimitOf(
  cfg: Config,
  key: string,
  alias: string,
): { limit: number; plan: string } | null {
  if (!cfg.limits.enabled || cfg.auth.apiKeys.pepper !== undefined) return null;
  const hash = hashApiKey(key, undefined);
  const consumer = cfg.auth.consumers.find((c) => c.apiKeys.some((k) => k.hash === hash));
  if (consumer === undefined) return null;
  const planName = consumer.plan ?? cfg.limits.defaultPlan;
  const plan = cfg.limits.plans[planName];
  if (plan === undefined) return null;
  const rate = cfg.limits.routes[alias]?.requests ?? plan.requests;
  return { limit: rate.perMinute + rate.burst, plan: planName };
}
