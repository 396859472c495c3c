import { toolsSchema } from '../config/schema/tools.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { Feature } from '../pipeline/feature.js';
import { approvalsConsolePage } from './approvals/console-page.js';
import { APPROVAL_ROUTES } from './approvals/routes.js';
import { TOOLS_LINT } from './lint.js';
import { TOOLS, toolsService } from './service.js';

/**
 * The tool gateway (issue 19, docs/tools.md): `POST /mcp` on the data plane after the edge stages
 * (authenticate, parse), `POST /v1/tools/{server.tool}` for plain-HTTP agents (the same calls), the
 * approval queue in the control plane.
 */
export const toolsFeature: Feature = {
  name: 'tools',
  config: { key: 'tools', schema: toolsSchema },
  lint: TOOLS_LINT,
  service: toolsService,
  stages: [],
  handlers: [
    {
      method: 'POST',
      path: '/mcp',
      endpoint: 'tools',
      create: (rt) => {
        const svc = TOOLS.get(rt);
        if (svc === undefined)
          return () => {
            throw new GatehouseError('GH_ERR_NOT_FOUND');
          };
        return (ctx) => svc.endpoint.handle(ctx);
      },
    },
    {
      method: 'POST',
      path: '/v1/tools/',
      param: true,
      endpoint: 'tools',
      create: (rt) => {
        const svc = TOOLS.get(rt);
        if (svc === undefined)
          return () => {
            throw new GatehouseError('GH_ERR_NOT_FOUND');
          };
        return (ctx, name) => svc.route(ctx, name);
      },
    },
  ],
  adminRoutes: APPROVAL_ROUTES,
  adminPages: [approvalsConsolePage],
};
