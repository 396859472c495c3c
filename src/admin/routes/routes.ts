import type { AdminRouteDef } from '../../pipeline/admin.js';
import { paceViewKey } from '../../pipeline/pace.js';
import { ADMIN_OVERLAY } from '../host.js';
import { guardBody, modelBody } from '../overrides-schema.js';
import { overrideRoute, routeNamed, withRoute } from './override-route.js';

const target = (p: Readonly<Record<string, string>>) => `route:${p.alias ?? ''}`;

export const routeRoutes: readonly AdminRouteDef[] = [
  {
    method: 'GET',
    path: '/routes',
    role: 'viewer',
    summary: 'Routes with tier, pinned model (YAML and override), guard toggles and PACE state',
    create: (rt) => {
      const overlay = ADMIN_OVERLAY.require(rt);
      return async () => {
        const ov = overlay.current();
        const pace = paceViewKey.get(rt);
        return {
          body: {
            items: [...rt.routes.values()].map((r) => ({
              alias: r.alias,
              tier: r.tier,
              provider: r.config.upstream.provider,
              model: ov.routes[r.alias]?.model ?? r.config.upstream.model,
              yamlModel: r.config.upstream.model,
              guardToggles: ov.routes[r.alias]?.guard ?? null,
              pace: pace?.stateOf(r.alias) ?? 'primary',
            })),
          },
        };
      };
    },
  },
  overrideRoute({
    method: 'PUT',
    path: '/routes/:alias/guard',
    role: 'operator',
    action: 'guard.actions.set',
    summary: 'Set the input guard action per detector section on a route (null: back to the YAML policy)',
    schema: guardBody,
    target,
    tierOf: (rt, req) => rt.routes.get(req.params.alias ?? '')?.tier ?? null,
    pick: (ov, p) => ov.routes[p.alias ?? '']?.guard ?? null,
    apply: (rt, ov, p, b) => {
      const alias = routeNamed(rt, p.alias).alias;
      const cur = ov.routes[alias]?.guard ?? {};
      return withRoute(ov, alias, 'guard', b.guard === null ? undefined : { ...cur, ...b.guard });
    },
  }),
  overrideRoute({
    method: 'PUT',
    path: '/routes/:alias/model',
    role: 'operator',
    action: 'route.model.set',
    summary: 'Pin another model version on a route (two-person by default; lint refuses floating ids)',
    schema: modelBody,
    target,
    tierOf: (rt, req) => rt.routes.get(req.params.alias ?? '')?.tier ?? null,
    pick: (ov, p) => ov.routes[p.alias ?? '']?.model ?? null,
    apply: (rt, ov, p, b) => withRoute(ov, routeNamed(rt, p.alias).alias, 'model', b.model ?? undefined),
  }),
];
