import type { LintRule } from '../../config/lint.js';

/**
 * Limits misconfigurations that would silently weaken them: limits kept per process while the
 * operator runs several replicas (the real limit becomes limit × replicas), and overrides for an
 * alias no route serves (a typo leaves the route on the plan's numbers).
 */
export const limitsLint: LintRule = (cfg) => {
  const l = cfg.limits;
  if (!l.enabled) return [];
  const out: string[] = [];
  if (l.replicas > 1 && cfg.store.kind === 'memory')
    out.push(
      `limits.replicas: ${l.replicas} replicas need store.kind: redis (the memory store keeps limits per process)`,
    );
  const aliases = new Set(cfg.routes.map((r) => r.alias));
  for (const alias of Object.keys(l.routes))
    if (!aliases.has(alias)) out.push(`limits.routes.${alias}: no route has this alias`);
  return out;
};
