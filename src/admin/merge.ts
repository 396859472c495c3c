import type { GatehouseConfig } from '../config/schema/index.js';
import type { Overrides } from '../pipeline/overrides.js';

/**
 * The YAML with the runtime overrides applied, as `gatehouse lint` would see it: an override that
 * makes this fail lint is refused (GH_ERR_ADMIN_LINT). Per-consumer limits have no YAML form; their
 * shape is checked by the schema, and the plan they apply on top of must exist.
 */
export function mergeOverrides(cfg: Readonly<GatehouseConfig>, ov: Overrides): GatehouseConfig {
  const consumers = cfg.auth.consumers.map((c) => {
    const o = ov.consumers[c.name];
    if (o === undefined) return c;
    return {
      ...c,
      ...(o.plan !== undefined && { plan: o.plan }),
      ...(o.disabled !== undefined && { disabled: c.disabled || o.disabled }),
      apiKeys: [
        ...c.apiKeys,
        ...(o.keys ?? []).map((k) => ({
          id: k.id,
          hash: k.hash,
          revoked: false,
          ...(k.expiresAt !== undefined && { expiresAt: k.expiresAt }),
        })),
      ],
    };
  });
  const routes = cfg.routes.map((r) => {
    const model = ov.routes[r.alias]?.model;
    return model === undefined ? r : { ...r, upstream: { ...r.upstream, model } };
  });
  const guardRoutes = { ...cfg.guard.routes };
  for (const [alias, o] of Object.entries(ov.routes)) {
    const t = o.guard;
    if (t === undefined) continue;
    const cur = guardRoutes[alias] ?? {};
    guardRoutes[alias] = {
      ...cur,
      ...(t.injection !== undefined && {
        injection: { ...cur.injection, action: t.injection, indirectAction: t.injection },
      }),
      ...(t.pii !== undefined && { pii: { ...cur.pii, action: t.pii } }),
      ...(t.secrets !== undefined && { secrets: { ...cur.secrets, action: t.secrets } }),
      ...(t.policy !== undefined && { policy: { ...cur.policy, action: t.policy } }),
    } as (typeof guardRoutes)[string];
  }
  return {
    ...cfg,
    auth: { ...cfg.auth, consumers },
    routes,
    guard: { ...cfg.guard, routes: guardRoutes },
  } as GatehouseConfig;
}

/** Problems of the overrides that lint cannot see: names that do not exist. */
export function overrideProblems(cfg: Readonly<GatehouseConfig>, ov: Overrides): string[] {
  const out: string[] = [];
  const consumers = new Set(cfg.auth.consumers.map((c) => c.name));
  const aliases = new Set(cfg.routes.map((r) => r.alias));
  for (const [name, o] of Object.entries(ov.consumers)) {
    if (!consumers.has(name)) out.push(`consumer "${name}" is not in auth.consumers`);
    if (o.plan !== undefined && cfg.limits.plans[o.plan] === undefined)
      out.push(`plan "${o.plan}" of consumer "${name}" is not in limits.plans`);
    const l = o.limits?.cost;
    if (l !== undefined && l.softPerHour > l.hardPerHour)
      out.push(`consumer "${name}": cost.softPerHour must not exceed cost.hardPerHour`);
  }
  for (const alias of Object.keys(ov.routes))
    if (!aliases.has(alias)) out.push(`route "${alias}" is not in routes`);
  return out;
}
