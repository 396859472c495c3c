import type { AdminRouteDef } from '../../pipeline/admin.js';
import { BACKENDS } from './service.js';

/** What each self-hosted server reports about itself (docs/providers.md, "vLLM and TGI introspection"). */
export const backendAdminRoutes: readonly AdminRouteDef[] = [
  {
    method: 'GET',
    path: '/backends',
    role: 'viewer',
    summary: 'Served model, revision, context limit and queue of every introspected vLLM/TGI route',
    create: (rt) => async () => ({ body: { backends: BACKENDS.get(rt)?.status() ?? [] } }),
  },
  {
    method: 'POST',
    path: '/backends/refresh',
    role: 'operator',
    action: 'backends.refresh',
    summary: 'Probe every introspected server now instead of at the next interval',
    create: (rt) => async () => {
      const svc = BACKENDS.get(rt);
      await svc?.probeAll();
      const backends = svc?.status() ?? [];
      return { body: { backends }, change: { target: 'backends', after: backends.map((b) => b.state) } };
    },
  },
];
