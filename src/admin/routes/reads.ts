import type { AdminRouteDef } from '../../pipeline/admin.js';
import { ADMIN_HOST, ADMIN_OVERLAY } from '../host.js';

const MAX_EVENTS = 500;

interface EventLike {
  readonly event?: { readonly action?: string; readonly kind?: string };
}

function limitOf(q: URLSearchParams): number {
  const n = Number(q.get('limit') ?? '100');
  return Number.isInteger(n) && n > 0 ? Math.min(n, MAX_EVENTS) : 100;
}

export const readRoutes: readonly AdminRouteDef[] = [
  {
    method: 'GET',
    path: '/whoami',
    role: 'viewer',
    summary: 'The calling operator, their roles and how they authenticated',
    create: () => async (req) => ({ body: { operator: req.operator } }),
  },
  {
    method: 'GET',
    path: '/events',
    role: 'viewer',
    summary: 'Recent security events and alerts of this replica (newest first; ?limit=, ?kind=alert)',
    create: (rt) => async (req) => {
      const kind = req.query.get('kind');
      const all = (ADMIN_HOST.require(rt).recentEvents() as readonly EventLike[]).filter(
        (e) => e.event?.action !== 'admin.action' && (kind === null || e.event?.kind === kind),
      );
      return { body: { items: all.slice(-limitOf(req.query)).reverse() } };
    },
  },
  {
    method: 'GET',
    path: '/audit',
    role: 'viewer',
    summary:
      'Recent operator audit events written by this replica (newest first; the audit sinks hold them all)',
    create: (rt) => async (req) => {
      const all = (ADMIN_HOST.require(rt).recentEvents() as readonly EventLike[]).filter(
        (e) => e.event?.action === 'admin.action',
      );
      return { body: { items: all.slice(-limitOf(req.query)).reverse() } };
    },
  },
  {
    method: 'GET',
    path: '/health',
    role: 'viewer',
    summary: 'Health of the store, upstream pools, detectors, audit sinks and the overrides overlay',
    create: (rt) => async () => {
      const host = ADMIN_HOST.require(rt);
      const ov = ADMIN_OVERLAY.get(rt)?.current();
      return {
        body: {
          store: { kind: rt.store.kind, healthy: rt.store.healthy() },
          upstreams: [...rt.routes.values()].map((r) => {
            const stats = (r.dispatcher as { stats?: Record<string, unknown> }).stats;
            return {
              alias: r.alias,
              origin: r.origin,
              connected: stats?.connected ?? null,
              pending: stats?.pending ?? null,
              running: stats?.running ?? null,
            };
          }),
          detectors: host.detectors(),
          sinks: host.sinks(),
          overrides: { version: ov?.version ?? 0, updatedAt: ov?.updatedAt ?? null },
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/overrides',
    role: 'viewer',
    summary: 'The runtime overrides document this replica applies (over the YAML)',
    create: (rt) => async () => {
      const ov = ADMIN_OVERLAY.require(rt).current();
      // Key hashes stay out of reads: ids and provenance are enough to manage them.
      const consumers = Object.fromEntries(
        Object.entries(ov.consumers).map(([name, c]) => [
          name,
          { ...c, ...(c.keys !== undefined && { keys: c.keys.map(({ hash: _h, ...k }) => k) }) },
        ]),
      );
      return { body: { ...ov, consumers } };
    },
  },
];
