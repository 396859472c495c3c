import type { z } from 'zod';
import { configSchema } from '../../config/schema/index.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { AdminChange, AdminRequest, AdminRole, AdminRouteDef } from '../../pipeline/admin.js';
import type { Overrides } from '../../pipeline/overrides.js';
import type { Runtime } from '../../pipeline/runtime.js';
import { ADMIN_HOST, ADMIN_OVERLAY } from '../host.js';
import { mergeOverrides, overrideProblems } from '../merge.js';
import { jsonSchemaOf, parseBody } from '../overrides-schema.js';

/**
 * Refuses overrides that would make the merged configuration fail: unknown names, the schema, then
 * every lint rule of every loaded feature (what `gatehouse lint` would say about the YAML with the
 * override written into it).
 */
export function checkOverrides(rt: Runtime, next: Overrides): void {
  const problems = overrideProblems(rt.config, next);
  if (problems.length === 0) {
    const merged = configSchema.safeParse(mergeOverrides(rt.config, next));
    if (!merged.success)
      problems.push(merged.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    else problems.push(...(ADMIN_HOST.get(rt)?.lint(merged.data) ?? []));
  }
  if (problems.length > 0)
    throw new GatehouseError('GH_ERR_ADMIN_LINT', {
      message: `The change would make the configuration fail lint: ${problems.slice(0, 3).join('; ')}`,
    });
}

export interface OverrideRouteOptions<T> {
  readonly method: 'PUT' | 'POST' | 'DELETE';
  readonly path: string;
  readonly role: AdminRole;
  readonly action: string;
  readonly summary: string;
  readonly schema: z.ZodType<T>;
  readonly target: (params: Readonly<Record<string, string>>) => string;
  /** The part of the overrides this action changes, for before/after. */
  readonly pick: (ov: Overrides, params: Readonly<Record<string, string>>) => unknown;
  /** The next overrides; throws GH_ERR_ADMIN_NOT_FOUND for a name the YAML does not have. */
  readonly apply: (
    rt: Runtime,
    ov: Overrides,
    params: Readonly<Record<string, string>>,
    body: T,
  ) => Overrides;
  readonly tierOf?: AdminRouteDef['tierOf'];
}

/** An admin route that changes the runtime overrides: validated, lint-checked, stored, audited. */
export function overrideRoute<T>(o: OverrideRouteOptions<T>): AdminRouteDef {
  const preview =
    (rt: Runtime) =>
    async (req: AdminRequest): Promise<AdminChange> => {
      const body = parseBody(o.schema, req.body);
      const cur = ADMIN_OVERLAY.require(rt).current();
      const next = o.apply(rt, cur, req.params, body);
      checkOverrides(rt, next);
      return {
        target: o.target(req.params),
        before: o.pick(cur, req.params),
        after: o.pick(next, req.params),
      };
    };
  return {
    method: o.method,
    path: o.path,
    role: o.role,
    action: o.action,
    summary: o.summary,
    body: jsonSchemaOf(o.schema),
    ...(o.tierOf !== undefined && { tierOf: o.tierOf }),
    preview,
    create: (rt) => {
      const overlay = ADMIN_OVERLAY.require(rt);
      return async (req) => {
        const body = parseBody(o.schema, req.body);
        const { before, after } = await overlay.update(
          (cur) => o.apply(rt, cur, req.params, body),
          (next) => checkOverrides(rt, next),
        );
        const target = o.target(req.params);
        const value = o.pick(after, req.params);
        return {
          body: { target, value, version: after.version },
          change: { target, before: o.pick(before, req.params), after: value },
        };
      };
    },
  };
}

/** The YAML consumer of a path parameter, or GH_ERR_ADMIN_NOT_FOUND. */
export function consumerNamed(rt: Runtime, name: string | undefined) {
  const c = rt.config.auth.consumers.find((x) => x.name === name);
  if (c === undefined) throw new GatehouseError('GH_ERR_ADMIN_NOT_FOUND', { message: 'No such consumer.' });
  return c;
}

export function routeNamed(rt: Runtime, alias: string | undefined) {
  const r = alias === undefined ? undefined : rt.routes.get(alias);
  if (r === undefined) throw new GatehouseError('GH_ERR_ADMIN_NOT_FOUND', { message: 'No such route.' });
  return r;
}

/** Sets (or, with undefined, removes) one field of a consumer's override, dropping empty entries. */
export function withConsumer<K extends keyof Overrides['consumers'][string]>(
  ov: Overrides,
  name: string,
  key: K,
  value: Overrides['consumers'][string][K] | undefined,
): Overrides {
  const cur = { ...(ov.consumers[name] ?? {}) };
  if (value === undefined) delete cur[key];
  else cur[key] = value;
  const consumers = { ...ov.consumers };
  if (Object.keys(cur).length === 0) delete consumers[name];
  else consumers[name] = cur;
  return { ...ov, consumers };
}

export function withRoute<K extends keyof Overrides['routes'][string]>(
  ov: Overrides,
  alias: string,
  key: K,
  value: Overrides['routes'][string][K] | undefined,
): Overrides {
  const cur = { ...(ov.routes[alias] ?? {}) };
  if (value === undefined) delete cur[key];
  else cur[key] = value;
  const routes = { ...ov.routes };
  if (Object.keys(cur).length === 0) delete routes[alias];
  else routes[alias] = cur;
  return { ...ov, routes };
}
