import { adminSchema } from '../config/schema/admin.js';
import type { Feature } from '../pipeline/feature.js';
import { OVERLAY } from '../pipeline/overrides.js';
import { ADMIN_OVERLAY } from './host.js';
import { lintAdmin } from './lint.js';
import { createOverlayStore } from './overlay.js';
import { consumerRoutes } from './routes/consumers.js';
import { proposalRoutes } from './routes/proposals.js';
import { readRoutes } from './routes/reads.js';
import { routeRoutes } from './routes/routes.js';

/**
 * The control plane (issue 15): the runtime overrides every replica applies (its service, built
 * whether or not this replica serves the admin listener), the operator actions and reads it owns,
 * and the console's built-in pages. The listener itself is started by the composition root
 * (src/boot/admin.ts), which mounts every feature's `adminRoutes`.
 */
export const adminFeature: Feature = {
  name: 'admin',
  config: { key: 'admin', schema: adminSchema },
  lint: [lintAdmin],
  stages: [],
  async service(rt) {
    const overlay = await createOverlayStore({ store: rt.store, logger: rt.logger });
    ADMIN_OVERLAY.set(rt, overlay);
    OVERLAY.set(rt, overlay);
    rt.closers.push(() => overlay.close());
  },
  adminRoutes: [...readRoutes, ...consumerRoutes, ...routeRoutes, ...proposalRoutes],
  adminPages: [
    {
      id: 'routes',
      title: 'Routes',
      role: 'viewer',
      kind: 'table',
      source: '/routes',
      columns: [
        { key: 'alias', label: 'Route' },
        { key: 'tier', label: 'Tier' },
        { key: 'model', label: 'Pinned model' },
        { key: 'pace', label: 'PACE' },
      ],
    },
  ],
};
