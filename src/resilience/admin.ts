import { GatehouseError } from '../errors/gatehouse-error.js';
import type { AdminRouteDef } from '../pipeline/admin.js';
import { KillRequestError } from './killswitch/service.js';
import { isPaceState } from './pace/machine.js';
import { RESILIENCE } from './slots.js';

/**
 * Operator actions (mounted by the admin listener, src/pipeline/admin.ts: it authenticates, checks
 * the role, applies the two-person rule and writes the operator audit event; these handlers only act).
 */

const badRequest = (message: string) => new GatehouseError('GH_ERR_RESILIENCE_REQUEST', { message });

/** A kill-switch call whose request the service refuses (unknown scope, missing target) is a 400. */
async function killRequest<T>(act: () => Promise<T>): Promise<T> {
  try {
    return await act();
  } catch (err) {
    if (err instanceof KillRequestError) throw badRequest(err.message);
    throw err;
  }
}

const scopeBody = {
  type: 'object',
  properties: {
    scope: { enum: ['all', 'route', 'consumer', 'deployment', 'tool'] },
    target: { type: 'string', maxLength: 128 },
  },
  required: ['scope'],
  additionalProperties: false,
} as const;

const field = (body: unknown, name: string): unknown =>
  body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;

const svcOf = (rt: Parameters<AdminRouteDef['create']>[0]) => {
  const svc = RESILIENCE.get(rt);
  if (svc === undefined) throw new Error('resilience admin routes mounted with resilience.enabled: false');
  return svc;
};

export const resilienceAdminRoutes: readonly AdminRouteDef[] = [
  {
    method: 'GET',
    path: '/killswitch',
    role: 'viewer',
    summary: 'Kill-switch entries engaged (store and file flag), with who and why',
    create: (rt) => {
      const svc = svcOf(rt);
      return async () => ({
        status: 200,
        body: { engaged: svc.killSwitch.engaged(), store_reachable: svc.killSwitch.storeReachable() },
      });
    },
  },
  {
    method: 'POST',
    path: '/killswitch/engage',
    role: 'operator',
    action: 'killswitch.engage',
    summary: 'Engage the kill switch for everything, a route, a consumer, a deployment or a tool server',
    body: scopeBody,
    create: (rt) => {
      const svc = svcOf(rt);
      return (req) =>
        killRequest(async () => {
          const scope = field(req.body, 'scope');
          const target = field(req.body, 'target');
          const entry = await svc.killSwitch.engage(scope, target, req.reason, req.operator.id);
          const t = entry.scope === 'all' ? 'killswitch:all' : `killswitch:${entry.scope}:${entry.target}`;
          return { status: 200, body: { engaged: entry }, change: { target: t, after: entry } };
        });
    },
  },
  {
    method: 'POST',
    path: '/killswitch/release',
    role: 'operator',
    action: 'killswitch.release',
    summary: 'Release a kill-switch entry (a reason is required)',
    body: scopeBody,
    create: (rt) => {
      const svc = svcOf(rt);
      return (req) =>
        killRequest(async () => {
          const scope = field(req.body, 'scope');
          const target = field(req.body, 'target');
          const before = svc.killSwitch.engaged();
          const released = await svc.killSwitch.release(scope, target, req.reason, req.operator.id);
          const t = scope === 'all' ? 'killswitch:all' : `killswitch:${String(scope)}:${String(target)}`;
          return {
            status: 200,
            body: { released },
            change: { target: t, before, after: svc.killSwitch.engaged() },
          };
        });
    },
  },
  {
    method: 'GET',
    path: '/pace',
    role: 'viewer',
    summary: 'PACE state of every route, with the reason, the overrides and the breakers',
    create: (rt) => {
      const svc = svcOf(rt);
      return async () => ({
        status: 200,
        body: {
          routes: Object.fromEntries(
            [...rt.routes.keys()].map((r) => [
              r,
              {
                state: svc.pace.stateOf(r),
                reason: svc.pace.why(r),
                deployments: svc
                  .deploymentsOf(r)
                  .map((d) => ({ name: d.name, breaker: svc.breakers.state(d.key) })),
              },
            ]),
          ),
          overrides: Object.fromEntries(svc.overrides.snapshot()),
        },
      });
    },
  },
  {
    method: 'PUT',
    path: '/pace/override',
    role: 'operator',
    action: 'pace.override',
    summary:
      'Force a route (or every route: `*`) into primary, alternate or contingency; state null clears it',
    body: {
      type: 'object',
      properties: {
        route: { type: 'string', maxLength: 128 },
        state: { enum: ['primary', 'alternate', 'contingency', null] },
      },
      required: ['route', 'state'],
      additionalProperties: false,
    },
    create: (rt) => {
      const svc = svcOf(rt);
      return async (req) => {
        const route = field(req.body, 'route');
        const state = field(req.body, 'state');
        if (typeof route !== 'string' || (route !== '*' && !rt.routes.has(route)))
          throw badRequest('route must be a configured alias or *');
        if (req.reason.trim().length < 3) throw badRequest('a reason is required');
        const before = svc.overrides.snapshot().get(route) ?? null;
        if (state === null) {
          await svc.overrides.remove(route);
        } else {
          if (!isPaceState(state) || state === 'emergency')
            throw badRequest(
              'state must be primary, alternate, contingency or null (emergency is the kill switch)',
            );
          await svc.overrides.put(route, { state, by: req.operator.id, reason: req.reason, at: Date.now() });
        }
        svc.pace.tick();
        return {
          status: 200,
          body: { route, state: route === '*' ? state : svc.pace.stateOf(route) },
          change: { target: `pace:${route}`, before, after: state === null ? null : { state } },
        };
      };
    },
  },
];
