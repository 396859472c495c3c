import type { RequestListener } from 'node:http';
import { createAdminApp } from '../admin/app.js';
import { createConsole } from '../admin/console.js';
import { ADMIN_HOST, type AdminHost } from '../admin/host.js';
import { createLoginThrottle } from '../admin/login-throttle.js';
import { createOidcVerifier } from '../admin/oidc.js';
import { buildOpenApi } from '../admin/openapi.js';
import { createOperatorAuthenticator } from '../admin/operator-auth.js';
import { createProposalBook } from '../admin/proposals.js';
import { createAdminRouter } from '../admin/router.js';
import { ADMIN_PROPOSALS } from '../admin/routes/proposals.js';
import { createSessionStore } from '../admin/sessions.js';
import { compileTwoPerson } from '../admin/two-person.js';
import type { AdminConfig } from '../config/schema/admin.js';
import { revokeInStore } from '../edge/auth/revocation.js';
import { LIMITER } from '../edge/limits/slots.js';
import { GUARD } from '../guard/slots.js';
import { type AdminRouteDef, roleAllows } from '../pipeline/admin.js';
import { AUDIT_SINK } from '../pipeline/audit-sink.js';
import type { Feature } from '../pipeline/feature.js';
import type { Runtime } from '../pipeline/runtime.js';
import { GATEHOUSE_VERSION } from '../telemetry/audit/build.js';
import { TELEMETRY } from '../telemetry/slots.js';

export interface AdminPlane {
  readonly handle: RequestListener;
  /** Set once the listener is bound: the console's default OIDC redirect base. */
  setUrl(url: string): void;
}

/**
 * Wires the control plane: the other features' services it reads or drives become plain functions
 * (AdminHost), every feature's `adminRoutes` are mounted in one table (a duplicate or role-less
 * route refuses the start), and the OpenAPI document and page list are generated from it.
 */
export function buildAdminPlane(
  rt: Runtime,
  cfg: AdminConfig,
  features: readonly Feature[],
  lint: (c: Runtime['config']) => readonly string[],
  hsts: string | null,
): AdminPlane {
  const host: AdminHost = {
    features,
    lint,
    audit: (record) => {
      const t = TELEMETRY.get(rt);
      if (t !== undefined) t.operator(record);
    },
    recentEvents: () => TELEMETRY.get(rt)?.recent() ?? [],
    sinks: () => TELEMETRY.get(rt)?.channels.map((c) => c.stats()) ?? [],
    detectors: () => {
      const g = GUARD.get(rt);
      if (g === undefined) return [];
      return [
        ...[...g.shared.keys()].map((name) => ({ name, kind: 'builtin', healthy: true })),
        ...(g.external === null
          ? []
          : [{ name: g.external.classifier.name, kind: 'external', onError: g.external.onError }]),
      ];
    },
    usage: (consumer) => LIMITER.get(rt)?.usage(consumer) ?? [],
    revokeKey: (id, ttlMs) => revokeInStore(rt.store, 'key', id, ttlMs),
  };
  ADMIN_HOST.set(rt, host);
  const book = createProposalBook(rt.store);
  let selfUrl = '';
  let openapi: object = {};
  const meta: AdminRouteDef[] = [
    {
      method: 'GET',
      path: '/openapi.json',
      role: 'viewer',
      summary: 'This document: the admin API as OpenAPI 3.1, generated from the mounted routes',
      create: () => async () => ({ body: openapi }),
    },
    {
      method: 'GET',
      path: '/console/pages',
      role: 'viewer',
      summary: 'Console pages the loaded features declare (navigation)',
      create: () => async (req) => ({
        body: {
          items: features
            .flatMap((f) => (f.adminPages ?? []).map((p) => ({ ...p, feature: f.name })))
            .filter((p) => roleAllows(req.operator.roles, p.role) && (p.shown?.(rt) ?? true))
            .map(({ select, shown: _, ...p }) =>
              select === undefined
                ? p
                : { ...p, select: { param: select.param, label: select.label, values: select.values(rt) } },
            ),
        },
      }),
    },
  ];
  const router = createAdminRouter(rt, [
    ...meta.map((def) => ({ feature: 'admin', def })),
    ...features.flatMap((f) => (f.adminRoutes ?? []).map((def) => ({ feature: f.name, def }))),
  ]);
  openapi = buildOpenApi(router.routes, GATEHOUSE_VERSION);
  const oidc = cfg.oidc === undefined ? null : createOidcVerifier(cfg.oidc);
  const sessions = createSessionStore(rt.store, {
    idleSec: cfg.console.sessionTimeoutSec,
    maxSec: cfg.console.sessionMaxSec,
  });
  const log = rt.logger.child({ component: 'admin' });
  const throttle = createLoginThrottle(rt.store, cfg.loginThrottle, cfg.oidc?.operatorClaim ?? 'sub', (e) => {
    log.warn(
      { event: 'admin_login_throttled', scope: e.scope, failures: e.failures, lock_sec: e.lockSec },
      'operator logins locked',
    );
    AUDIT_SINK.get(rt)?.security(
      { action: 'admin.login_throttled', scope: e.scope, failures: e.failures, lockSec: e.lockSec },
      { sourceIp: e.sourceIp, consumer: e.scope === 'principal' ? e.subject : null },
    );
  });
  const app = createAdminApp({
    rt,
    cfg,
    host,
    router,
    authenticate: createOperatorAuthenticator(cfg, oidc, sessions),
    throttle,
    proposals: book,
    twoPerson: compileTwoPerson(rt, cfg.twoPerson.actions),
    console: cfg.console.enabled
      ? createConsole({ cfg, store: rt.store, sessions, oidc, throttle, selfUrl: () => selfUrl })
      : null,
    hsts,
  });
  ADMIN_PROPOSALS.set(rt, { book, run: app.applyProposal });
  return {
    handle: app.handle,
    setUrl: (u) => {
      selfUrl = u;
    },
  };
}
