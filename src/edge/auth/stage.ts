import type { StageDef } from '../../pipeline/registry.js';
import type { AuthEvent } from './security-events.js';
import { AUTH, AUTH_ROOT_METHOD } from './slots.js';

/**
 * Authenticates every data-plane request before anything else runs and sets `ctx.identity`
 * (or throws a GH_ERR_AUTH_* error). Built once from the `auth` service.
 */
export const authenticateStage: StageDef = {
  name: 'authenticate',
  phase: 'authenticate',
  scope: 'edge',
  create(rt) {
    const auth = AUTH.get(rt);
    if (auth === undefined)
      throw new Error(
        'authenticate stage: the auth service is not built (the auth feature missing from FEATURES)',
      );
    const downstream = auth.downstream;
    return async (ctx) => {
      const events: AuthEvent[] = [];
      try {
        const { identity, root } = await auth.authenticate({
          headers: ctx.req.headers,
          peerCertificate: ctx.peerCertificate,
          sourceIp: ctx.sourceIp,
          userAgent: ctx.userAgent,
          events,
        });
        ctx.identity = identity;
        AUTH_ROOT_METHOD.set(ctx, root);
        // The upstream learns who is calling from this signed header, never from the consumer's credential.
        if (downstream !== null)
          ctx.upstreamExtraHeaders[downstream.header] = await downstream.value(identity);
      } finally {
        if (events.length > 0) (ctx.securityEvents ??= []).push(...events);
      }
    };
  },
};
