import { GatehouseError } from '../../errors/gatehouse-error.js';
import { mayUseAlias } from '../../identity.js';
import type { RequestContext } from '../../pipeline/context.js';
import type { HandlerDef } from '../../pipeline/feature.js';
import type { RuntimeRoute } from '../../pipeline/runtime.js';
import { compileRouteAccess } from './authorize-stage.js';
import { createSessionHandlers, SESSION_ROUTES } from './sessions-handler.js';

const model = (alias: string) => ({ id: alias, object: 'model', created: 0, owned_by: 'gatehouse' });

/**
 * `GET /v1/models` and `GET /v1/models/{id}` (the OpenAI SDK's `models.list` and `models.retrieve`):
 * only the aliases this caller could actually call, by its aliases and each route's tier rules.
 */
function createModels(rt: Parameters<HandlerDef['create']>[0]) {
  // Each route's tier rules, compiled once.
  const access = [...rt.routes.values()].map((route: RuntimeRoute) => ({
    route,
    may: compileRouteAccess(rt, route),
  }));
  const callable = (ctx: RequestContext): string[] => {
    const id = ctx.identity;
    if (id === null) return [];
    return access
      .filter(({ route, may }) => mayUseAlias(id, route.alias) && may(ctx, id) === null)
      .map(({ route }) => route.alias);
  };
  return (ctx: RequestContext, modelId: string | null): object => {
    const aliases = callable(ctx);
    if (modelId === null) return { object: 'list', data: aliases.map(model) };
    ctx.alias = modelId.slice(0, 256);
    // Unknown and not-callable get the same 404, so the answer does not reveal which aliases exist.
    if (!aliases.includes(modelId))
      throw new GatehouseError('GH_ERR_UNKNOWN_MODEL', {
        message: `The model '${modelId.slice(0, 128)}' does not exist or you do not have access to it.`,
      });
    return model(modelId);
  };
}

/** The endpoints the auth feature answers itself: the model list and session tokens. */
export const AUTH_HANDLERS: readonly HandlerDef[] = [
  { method: 'GET', path: '/v1/models', endpoint: 'models', create: (rt) => createModels(rt) },
  { method: 'GET', path: '/v1/models/', param: true, endpoint: 'models', create: (rt) => createModels(rt) },
  ...SESSION_ROUTES.map(
    (r): HandlerDef => ({
      method: r.method,
      path: r.path,
      endpoint: 'sessions',
      create: (rt) => {
        const handler = createSessionHandlers(rt)[r.handler];
        return (ctx) => handler(ctx);
      },
    }),
  ),
];
