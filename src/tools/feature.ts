import { toolsSchema } from '../config/schema/tools.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { Feature, Handler } from '../pipeline/feature.js';
import type { Runtime } from '../pipeline/runtime.js';
import { approvalsConsolePage } from './approvals/console-page.js';
import { APPROVAL_ROUTES } from './approvals/routes.js';
import { TOOLS_LINT } from './lint.js';
import { TOOLS, type ToolsService, toolsService } from './service.js';

/**
 * The tool gateway (issue 19, docs/tools.md): `POST /mcp` on the data plane after the edge stages
 * (authenticate, parse), `POST /v1/tools/{server.tool}` for plain-HTTP agents (the same calls), the
 * approval queue in the control plane.
 */
/** A handler on the tools service; with the tool gateway off (no service) every call is a 404. */
const withTools =
  (make: (svc: ToolsService) => Handler) =>
  (rt: Runtime): Handler => {
    const svc = TOOLS.get(rt);
    if (svc !== undefined) return make(svc);
    return () => {
      throw new GatehouseError('GH_ERR_NOT_FOUND');
    };
  };

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
      create: withTools((svc) => (ctx) => svc.endpoint.handle(ctx)),
    },
    {
      method: 'POST',
      path: '/v1/tools/',
      param: true,
      endpoint: 'tools',
      create: withTools((svc) => (ctx, name) => svc.route(ctx, name)),
    },
  ],
  adminRoutes: APPROVAL_ROUTES,
  adminPages: [approvalsConsolePage],
};
