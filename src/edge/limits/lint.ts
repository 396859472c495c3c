import type { LintRule } from '../../config/lint.js';

/**
 * Limits misconfigurations that would silently weaken them: limits kept per process while the
 * operator runs several replicas (the real limit becomes limit × replicas).
 */
export const limitsLint: LintRule = (cfg) => {
  const l = cfg.limits;
  if (!l.enabled) return [];
  const out: string[] = [];
  if (l.replicas > 1 && cfg.store.kind === 'memory')
    out.push(
      `limits.replicas: ${l.replicas} replicas need store.kind: redis (the memory store keeps limits per process)`,
    );
  // Overrides for an alias no route serves are caught by the shared route-key check (src/config/lint.ts).
  return out;
};
