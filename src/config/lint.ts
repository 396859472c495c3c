import { lintAuth } from '../edge/auth/lint.js';
import { limitsLint } from '../edge/limits/lint.js';
import type { GatehouseConfig } from './schema/index.js';
import { secretRefKind } from './secrets.js';

export type LintRule = (cfg: Readonly<GatehouseConfig>) => string[];

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** Model ids that float to whatever the provider ships next. */
function floatingReason(model: string, provider: string, operatorList: readonly string[]): string | null {
  const m = model.toLowerCase();
  if (/(^|[:/@_-])latest$/.test(m)) return 'uses "latest"';
  if (operatorList.includes(model)) return 'is listed in lint.floatingModelIds as a dateless alias';
  if (provider === 'ollama' && !model.includes(':')) return 'is an untagged Ollama model (it means :latest)';
  return null;
}

const pinnedModels: LintRule = (cfg) =>
  cfg.routes.flatMap((r, i) => {
    const why = floatingReason(r.upstream.model, r.upstream.provider, cfg.lint.floatingModelIds);
    return why ? [`routes[${i}].upstream.model: "${r.upstream.model}" ${why}; pin an exact version`] : [];
  });

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

/** Rules from feature modules (auth tier rules, limits, guardrails) register here. */
export const LINT_RULES: LintRule[] = [
  pinnedModels,
  secretsByReference,
  transport,
  sideListeners,
  tierTransport,
  limitsLint,
  lintAuth,
];

export function lintConfig(cfg: Readonly<GatehouseConfig>): string[] {
  return LINT_RULES.flatMap((rule) => rule(cfg));
}
