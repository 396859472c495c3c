import { z } from 'zod';
import { adminSchema } from './admin.js';
import { authSchema } from './auth.js';
import { canarySchema } from './canary.js';
import { logSchema, serverSchema, sideListenerSchema, storeSchema } from './core.js';
import { egressSchema } from './egress.js';
import { guardSchema } from './guard.js';
import { judgeSchema } from './judge.js';
import { limitsSchema } from './limits.js';
import { outputGuardSchema } from './output-guard.js';
import { providersSchema } from './provider-settings.js';
import { proxySchema } from './proxy.js';
import { resilienceSchema } from './resilience.js';
import { routeSchema } from './route.js';
import { sandboxSchema } from './sandbox.js';
import { telemetrySchema } from './telemetry.js';
import { toolsSchema } from './tools.js';

/**
 * The whole gatehouse.yaml. Feature sections (auth, limits, guardrails, telemetry) each live in
 * their own schema file and are added here as one line.
 */
export const configSchema = z
  .object({
    version: z.literal(1).default(1),
    server: serverSchema.prefault({}),
    health: sideListenerSchema.extend({ port: sideListenerSchema.shape.port.default(8081) }).prefault({}),
    metrics: sideListenerSchema.extend({ port: sideListenerSchema.shape.port.default(9464) }).prefault({}),
    store: storeSchema.default({ kind: 'memory' }),
    log: logSchema.prefault({}),
    lint: z
      .object({
        /** Dateless aliases that float to new snapshots (the operator lists them); refused as pinned ids. */
        floatingModelIds: z.array(z.string()).default([]),
        /** Ids the operator attests are fixed although they look like a dateless vendor alias (a self-hosted model served under such a name). */
        pinnedModelIds: z.array(z.string()).default([]),
      })
      .strict()
      .prefault({}),
    routes: z.array(routeSchema).default([]),
    outputGuard: outputGuardSchema.prefault({}),
    guard: guardSchema.prefault({}),
    limits: limitsSchema.prefault({}),
    auth: authSchema.prefault({}),
    telemetry: telemetrySchema.prefault({}),
    egress: egressSchema.prefault({}),
    sandbox: sandboxSchema.prefault({}),
    proxy: proxySchema.prefault({}),
    judge: judgeSchema.prefault({}),
    resilience: resilienceSchema.prefault({}),
    admin: adminSchema.prefault({}),
    providers: providersSchema.prefault({}),
    tools: toolsSchema.prefault({}),
    canary: canarySchema.prefault({}),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.routes.forEach((r, i) => {
      if (seen.has(r.alias))
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i, 'alias'],
          message: `duplicate alias "${r.alias}"`,
        });
      seen.add(r.alias);
    });
  });

export type GatehouseConfig = z.infer<typeof configSchema>;
export type GatehouseConfigInput = z.input<typeof configSchema>;
