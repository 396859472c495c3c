import type { PlanConfig, PlanOverride } from '../../config/schema/limits.js';
import { resolveSecret } from '../../config/secrets.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import { generateApiKey, hashApiKey } from '../../formats/api-key.js';
import type { AdminRouteDef } from '../../pipeline/admin.js';
import type { Overrides } from '../../pipeline/overrides.js';
import type { Runtime } from '../../pipeline/runtime.js';
import { ADMIN_HOST, ADMIN_OVERLAY } from '../host.js';
import {
  enabledBody,
  issueKeyBody,
  jsonSchemaOf,
  parseBody,
  planBody,
  quotaBody,
  revokeKeyBody,
} from '../overrides-schema.js';
import { checkOverrides, consumerNamed, overrideRoute, withConsumer } from './override-route.js';

const DIMENSIONS = ['requests', 'inputTokens', 'outputTokens', 'costMicros'] as const;

/** A consumer as the console shows it: YAML facts, the operator's overrides, and live quota use. */
function consumerView(rt: Runtime, name: string, ov: Overrides) {
  const c = consumerNamed(rt, name);
  const o = ov.consumers[name] ?? {};
  const plan = o.plan ?? c.plan ?? rt.config.limits.defaultPlan;
  // Used: what the limiter counted at the last admission; limit: what applies now (the plan with
  // the route's and the operator's overrides), so a quota change shows before the next request.
  const usage = (ADMIN_HOST.get(rt)?.usage(name) ?? []).map((u) => {
    const limits = currentLimits(rt, plan, u.route, o.limits);
    return {
      route: u.route,
      plan: u.plan,
      observedAt: new Date(u.at).toISOString(),
      windows: Object.fromEntries(
        u.views.map((v, i) => {
          const used = Math.max(0, v.limit - v.remaining);
          const limit = limits?.[i] ?? v.limit;
          return [
            DIMENSIONS[i] ?? String(i),
            { limit, used, remaining: Math.max(0, limit - used), resetMs: v.resetMs },
          ];
        }),
      ),
    };
  });
  return {
    name,
    tier: c.tier,
    enabled: !(c.disabled || o.disabled === true),
    disabledInYaml: c.disabled,
    plan,
    planLimits: rt.config.limits.plans[plan] ?? null,
    quotaOverride: o.limits ?? null,
    keys: [
      ...c.apiKeys.map((k) => ({
        id: k.id,
        source: 'yaml',
        expiresAt: k.expiresAt ?? null,
        revoked: k.revoked,
      })),
      ...(o.keys ?? []).map((k) => ({
        id: k.id,
        source: 'runtime',
        expiresAt: k.expiresAt ?? null,
        issuedBy: k.issuedBy,
        issuedAt: k.issuedAt,
      })),
    ],
    usage,
  };
}

const target = (p: Readonly<Record<string, string>>) => `consumer:${p.id ?? ''}`;

/** The minute caps (per + burst) and the cost hour cap in micro-dollars that apply now. */
function currentLimits(
  rt: Runtime,
  planName: string,
  alias: string,
  consumer: PlanOverride | undefined,
): readonly number[] | null {
  const plan = rt.config.limits.plans[planName];
  if (plan === undefined) return null;
  const route = rt.config.limits.routes[alias];
  const pick = <K extends keyof PlanConfig>(k: K): PlanConfig[K] =>
    (consumer?.[k] as PlanConfig[K] | undefined) ?? (route?.[k] as PlanConfig[K] | undefined) ?? plan[k];
  const minute = (r: PlanConfig['requests']) => r.perMinute + r.burst;
  return [
    minute(pick('requests')),
    minute(pick('inputTokens')),
    minute(pick('outputTokens')),
    Math.ceil(pick('cost').hardPerHour * 1e6),
  ];
}

export const consumerRoutes: readonly AdminRouteDef[] = [
  {
    method: 'GET',
    path: '/consumers',
    role: 'viewer',
    summary:
      'Consumers with their plan, overrides and live quota use (this replica’s last view of the shared counters)',
    create: (rt) => {
      const overlay = ADMIN_OVERLAY.require(rt);
      return async () => ({
        body: { items: rt.config.auth.consumers.map((c) => consumerView(rt, c.name, overlay.current())) },
      });
    },
  },
  {
    method: 'GET',
    path: '/consumers/:id',
    role: 'viewer',
    summary: 'One consumer with its plan, overrides and live quota use',
    create: (rt) => {
      const overlay = ADMIN_OVERLAY.require(rt);
      return async (req) => ({ body: consumerView(rt, req.params.id ?? '', overlay.current()) });
    },
  },
  overrideRoute({
    method: 'PUT',
    path: '/consumers/:id/quota',
    role: 'operator',
    action: 'quota.set',
    summary: 'Set (or with null remove) the consumer’s quota override: any part of a plan, on every route',
    schema: quotaBody,
    target,
    pick: (ov, p) => ov.consumers[p.id ?? '']?.limits ?? null,
    apply: (rt, ov, p, b) => withConsumer(ov, consumerNamed(rt, p.id).name, 'limits', b.limits ?? undefined),
  }),
  overrideRoute({
    method: 'PUT',
    path: '/consumers/:id/plan',
    role: 'operator',
    action: 'plan.set',
    summary: 'Move the consumer to another named plan of limits.plans (null: back to the YAML plan)',
    schema: planBody,
    target,
    pick: (ov, p) => ov.consumers[p.id ?? '']?.plan ?? null,
    apply: (rt, ov, p, b) => withConsumer(ov, consumerNamed(rt, p.id).name, 'plan', b.plan ?? undefined),
  }),
  overrideRoute({
    method: 'PUT',
    path: '/consumers/:id/enabled',
    role: 'operator',
    action: 'consumer.enable',
    summary: 'Disable the consumer on every replica, or lift an operator’s disable (a YAML disable stays)',
    schema: enabledBody,
    target,
    pick: (ov, p) => ({ disabled: ov.consumers[p.id ?? '']?.disabled === true }),
    apply: (rt, ov, p, b) =>
      withConsumer(ov, consumerNamed(rt, p.id).name, 'disabled', b.enabled ? undefined : true),
  }),
  {
    method: 'POST',
    path: '/consumers/:id/keys',
    role: 'operator',
    action: 'key.issue',
    summary:
      'Issue a data-plane API key for the consumer; the key is in this answer only, its hash is stored',
    body: jsonSchemaOf(issueKeyBody),
    create: (rt) => {
      const overlay = ADMIN_OVERLAY.require(rt);
      const a = rt.config.auth.apiKeys;
      const pepper = a.pepper === undefined ? undefined : resolveSecret(a.pepper);
      return async (req) => {
        const c = consumerNamed(rt, req.params.id);
        const b = parseBody(issueKeyBody, req.body);
        const { key, id } = generateApiKey(a.prefix);
        const now = Date.now();
        const entry = {
          id,
          hash: hashApiKey(key, pepper),
          issuedBy: req.operator.id,
          issuedAt: new Date(now).toISOString(),
          ...(b.expiresInDays !== undefined && {
            expiresAt: new Date(now + b.expiresInDays * 86_400_000).toISOString(),
          }),
        };
        const { after } = await overlay.update(
          (cur) => withConsumer(cur, c.name, 'keys', [...(cur.consumers[c.name]?.keys ?? []), entry]),
          (next) => checkOverrides(rt, next),
        );
        const shown = { id, expiresAt: entry.expiresAt ?? null, issuedAt: entry.issuedAt };
        return {
          status: 201,
          body: { consumer: c.name, key, ...shown, version: after.version },
          change: { target: `consumer:${c.name}/key:${id}`, after: shown },
        };
      };
    },
  },
  {
    method: 'DELETE',
    path: '/consumers/:id/keys/:keyId',
    role: 'operator',
    action: 'key.revoke',
    summary: 'Revoke one of the consumer’s API keys (YAML or runtime-issued) on every replica',
    body: jsonSchemaOf(revokeKeyBody),
    create: (rt) => {
      const overlay = ADMIN_OVERLAY.require(rt);
      return async (req) => {
        const c = consumerNamed(rt, req.params.id);
        const b = parseBody(revokeKeyBody, req.body ?? {});
        const keyId = req.params.keyId ?? '';
        const inYaml = c.apiKeys.some((k) => k.id === keyId);
        const issued = overlay.current().consumers[c.name]?.keys?.some((k) => k.id === keyId) ?? false;
        if (!inYaml && !issued)
          throw new GatehouseError('GH_ERR_ADMIN_NOT_FOUND', { message: 'No such key.' });
        const host = ADMIN_HOST.require(rt);
        // The revocation list answers at once on every replica (pub/sub + store key); a runtime
        // key also leaves the overlay, so it cannot come back when the revocation's TTL lapses.
        await host.revokeKey(keyId, b.ttlDays * 86_400_000);
        if (issued)
          await overlay.update(
            (cur) => {
              const keys = (cur.consumers[c.name]?.keys ?? []).filter((k) => k.id !== keyId);
              return withConsumer(cur, c.name, 'keys', keys.length === 0 ? undefined : keys);
            },
            () => {},
          );
        return {
          body: { consumer: c.name, id: keyId, revoked: true },
          change: {
            target: `consumer:${c.name}/key:${keyId}`,
            before: { revoked: false },
            after: { revoked: true },
          },
        };
      };
    },
  },
];
