import type { z } from 'zod';
import type { LintRule } from '../config/lint-finding.js';
import type { CoreConfigKey } from '../config/schema/core-keys.js';
import type { GatehouseConfig } from '../config/schema/index.js';
import type { Endpoint, ModelEndpoint } from '../formats/provider.js';
import type { AdminPageDef, AdminRouteDef } from './admin.js';
import type { RequestContext } from './context.js';
import type { StageDef } from './registry.js';
import type { Runtime } from './runtime.js';

/**
 * A builder for one feature's shared service, run once at boot (src/boot/) before any stage is
 * built. It sets its service through its typed key (`defineService`, src/pipeline/slot.ts) and
 * may push a closer onto `rt.closers`.
 */
export interface ServiceDef {
  readonly name: string;
  readonly build: (rt: Runtime) => void | Promise<void>;
}

/** A top-level config key a feature owns (every key that is not core). */
export type FeatureConfigKey = Exclude<keyof GatehouseConfig, CoreConfigKey>;

/**
 * The config section a feature owns: its top-level key and the zod schema of that section, which
 * stays in src/config/schema/<name>.ts (declared data, the bottom layer) and is assembled there.
 * The schema's output must be the section's type, so a key paired with another section's schema
 * does not compile.
 */
export type FeatureConfig = {
  readonly [K in FeatureConfigKey]: { readonly key: K; readonly schema: z.ZodType<GatehouseConfig[K]> };
}[FeatureConfigKey];

/**
 * One capability of the gateway, exported as one object from its folder (`feature.ts`). The
 * composition root (src/boot/features.ts) lists them; adding a capability is a new folder plus one
 * line there, and nothing else reads a feature but the root: build-runtime runs each `service` in
 * list order, collects every `stages` entry (their order comes from phases and before/after, never
 * from the list) and runs every `lint` rule in `gatehouse lint` and before a start.
 */
export interface Feature {
  readonly name: string;
  /** The top-level config section it owns, if any (one owner per key). */
  readonly config?: FeatureConfig;
  /** Config checks beyond the schema; a string refuses the start, `lintWarning(...)` is logged. */
  readonly lint?: readonly LintRule[];
  /** Builds the feature's shared service (set through its typed key), once, before any stage is built. */
  readonly service?: ServiceDef['build'];
  readonly stages: readonly StageDef[];
  /** Endpoints the feature answers itself (the runner has no endpoint special cases). */
  readonly handlers?: readonly HandlerDef[];
  /** Public read-only GETs on the health listener (the JWKS, alert-signal health). */
  readonly healthRoutes?: readonly HealthRouteDef[];
  /** Operator actions and reads served by the admin listener (src/pipeline/admin.ts). */
  readonly adminRoutes?: readonly AdminRouteDef[];
  /** Console pages (src/pipeline/admin.ts), listed in the console's navigation. */
  readonly adminPages?: readonly AdminPageDef[];
}

/**
 * What a feature's endpoint answers: a JSON body sent with status 200 (errors are thrown), or a
 * web-standard `Response` written as it is (the MCP endpoint, whose SDK answers in that shape).
 */
export type Handler = (ctx: RequestContext, param: string | null) => object | Promise<object>;

/**
 * An HTTP endpoint a feature answers itself after the edge stages (correlate, authenticate,
 * validate) ran, instead of the upstream: the model list, session tokens, and later admin routes.
 */
export interface HandlerDef {
  readonly method: 'GET' | 'POST';
  /**
   * The exact path; with `param`, a prefix ending in `/` followed by exactly one URL-encoded path
   * segment, decoded and passed to the handler (empty, nested or badly encoded is a 404).
   */
  readonly path: string;
  readonly param?: boolean;
  /** The request's endpoint for the edge stages, logs and metrics. */
  readonly endpoint: Exclude<Endpoint, ModelEndpoint>;
  /** Compiles what it needs once, at boot. */
  readonly create: (rt: Runtime) => Handler;
}

/**
 * A GET on the health listener: public (probes, upstreams fetching keys), so it serves only what
 * may be public; its JSON is sent with status 200.
 */
export interface HealthRouteDef {
  /** Exact path, e.g. `/.well-known/gatehouse-jwks.json`. */
  readonly path: string;
  /** Compiled once at boot; null when there is nothing to serve with this config (then a 404). */
  readonly create: (rt: Runtime) => (() => unknown) | null;
}
