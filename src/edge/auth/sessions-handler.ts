import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { RequestContext } from '../../pipeline/context.js';
import type { Runtime } from '../../pipeline/runtime.js';
import { AUTH, AUTH_ROOT_METHOD } from './slots.js';

export type SessionHandler = (ctx: RequestContext) => Promise<object>;

/**
 * HTTP handlers for gateway session tokens, mounted by the server after the edge stages ran (the
 * caller is authenticated and `ctx.body` parsed):
 * - `POST /v1/gatehouse/sessions` `{agent, session?, aliases?, scopes?, ttl_seconds?}` → a token;
 * - `POST /v1/gatehouse/sessions/revoke` `{agent}` or `{session}` → revokes the caller's own.
 */
export const SESSION_ROUTES = [
  { method: 'POST', path: '/v1/gatehouse/sessions', handler: 'create' },
  { method: 'POST', path: '/v1/gatehouse/sessions/revoke', handler: 'revoke' },
] as const;

export function createSessionHandlers(
  rt: Runtime,
): Record<(typeof SESSION_ROUTES)[number]['handler'], SessionHandler> {
  const issuer = AUTH.get(rt)?.sessions ?? null;
  const needIdentity = (ctx: RequestContext) => {
    if (issuer === null) throw new GatehouseError('GH_ERR_NOT_FOUND');
    if (ctx.identity === null) throw new GatehouseError('GH_ERR_AUTH_MISSING');
    return { issuer, identity: ctx.identity };
  };
  return {
    async create(ctx) {
      const { issuer: i, identity } = needIdentity(ctx);
      return i.mint(identity, AUTH_ROOT_METHOD.get(ctx) ?? identity.method, ctx.body);
    },
    async revoke(ctx) {
      const { issuer: i, identity } = needIdentity(ctx);
      return i.revoke(identity, ctx.body);
    },
  };
}
