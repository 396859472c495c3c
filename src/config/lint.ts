import type { LintRule } from './lint-finding.js';
import type { GatehouseConfig } from './schema/index.js';
import { secretRefKind } from './secrets.js';

export type { LintFinding, LintRule, LintWarning } from './lint-finding.js';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * Every per-route map of the config, keyed by alias. A key no route has is a typo that silently
 * leaves the real route on the defaults (an operator believes a route blocks injection when it does
 * not), so one check covers them all. A feature that adds a per-route map adds one line here.
 */
const ROUTE_MAPS: ReadonlyArray<readonly [string, (c: Readonly<GatehouseConfig>) => object]> = [
  ['guard.routes', (c) => c.guard.routes],
  ['outputGuard.routes', (c) => c.outputGuard.routes],
  ['limits.routes', (c) => c.limits.routes],
];

const routeKeys: LintRule = (cfg) => {
  const aliases = new Set(cfg.routes.map((r) => r.alias));
  return ROUTE_MAPS.flatMap(([path, map]) =>
    Object.keys(map(cfg))
      .filter((alias) => !aliases.has(alias))
      .map((alias) => `${path}.${alias}: no route has this alias`),
  );
};

const secretsByReference: LintRule = (cfg) =>
  cfg.routes.flatMap((r, i) => {
    const out: string[] = [];
    if (r.upstream.apiKey !== undefined && secretRefKind(r.upstream.apiKey) === 'inline')
      out.push(`routes[${i}].upstream.apiKey: inline secret; use \${ENV_VAR} or file:/path`);
    for (const [h, v] of Object.entries(r.upstream.headers))
      if (/authorization|api-key|token|secret/i.test(h) && secretRefKind(v) === 'inline')
        out.push(`routes[${i}].upstream.headers.${h}: inline secret; use \${ENV_VAR} or file:/path`);
    return out;
  });

const transport: LintRule = (cfg) => {
  const s = cfg.server;
  if (s.tls) return [];
  if (!s.allowPlaintext)
    return ['server.tls: TLS is required (set server.allowPlaintext: true to serve plain HTTP)'];
  if (!LOOPBACK.test(s.host) && !s.allowPlaintextOnPublicInterface)
    return [
      `server.host: plain HTTP bound to ${s.host}; bind to loopback or set server.allowPlaintextOnPublicInterface`,
    ];
  return [];
};

const sideListeners: LintRule = (cfg) => {
  const out: string[] = [];
  const data = cfg.server.port;
  for (const name of ['health', 'metrics'] as const) {
    const l = cfg[name];
    if (!l.enabled) continue;
    if (l.port !== 0 && l.port === data) out.push(`${name}.port: must differ from the data-plane port`);
  }
  if (
    cfg.health.enabled &&
    cfg.metrics.enabled &&
    cfg.health.port !== 0 &&
    cfg.health.port === cfg.metrics.port
  )
    out.push('metrics.port: must differ from health.port');
  return out;
};

const tierTransport: LintRule = (cfg) =>
  cfg.routes.flatMap((r, i) =>
    r.tier === 3 && cfg.server.tls?.clientAuth !== 'required'
      ? [`routes[${i}].tier: tier 3 requires mTLS on the listener (server.tls.clientAuth: required)`]
      : [],
  );

/**
 * The checks of the core config (listeners, routes, secret references). Each feature brings its own
 * rules in its `Feature.lint`; src/boot/lint.ts runs these, then those.
 */
export const CORE_LINT_RULES: readonly LintRule[] = [
  secretsByReference,
  transport,
  sideListeners,
  tierTransport,
  routeKeys,
];

export interface LintReport {
  /** Problems: `gatehouse lint` fails and the gateway refuses to start. */
  readonly errors: string[];
  /** Printed by `gatehouse lint` and logged at start; they refuse nothing. */
  readonly warnings: string[];
}

/** Runs the rules in order and splits their findings into problems and warnings. */
export function runLint(cfg: Readonly<GatehouseConfig>, rules: readonly LintRule[]): LintReport {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const rule of rules)
    for (const f of rule(cfg)) {
      if (typeof f === 'string') errors.push(f);
      else warnings.push(f.message);
    }
  return { errors, warnings };
}
