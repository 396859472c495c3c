import type { AuthMethod } from '../../identity.js';
import type { StageDef } from '../../pipeline/registry.js';
import type { AuthEvent } from './security-events.js';
import './service.js';

declare module '../../pipeline/context.js' {
  interface RequestContext {
    /** How the caller first proved itself (a session token's root credential); tier rules read it. */
    authRootMethod?: AuthMethod;
  }
}

/**
 * Authenticates every data-plane request before anything else runs and sets `ctx.identity`
 * (or throws a GH_ERR_AUTH_* error). Built once from the `auth` service.
 */
export const authenticateStage: StageDef = {
  name: 'authenticate',
  phase: 'authenticate',
  scope: 'edge',
  create(rt) {
    const auth = rt.services.auth;
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
        ctx.authRootMethod = root;
        // The upstream learns who is calling from this signed header, never from the consumer's credential.
        if (downstream !== null)
          ctx.upstreamExtraHeaders[downstream.header] = await downstream.value(identity);
      } finally {
        if (events.length > 0) (ctx.securityEvents ??= []).push(...events);
      }
    };
  },
};
