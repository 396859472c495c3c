import type { LintRule } from '../config/lint-finding.js';

/** Each canary names a configured route and a different configured deployment serving its endpoints. */
export const canaryRoutesLint: LintRule = (cfg) => {
  const problems: string[] = [];
  const routes = new Map(cfg.routes.map((r) => [r.alias, r]));
  const seen = new Set<string>();
  for (const c of cfg.canary.routes) {
    const base = routes.get(c.route);
    const dep = routes.get(c.deployment);
    if (seen.has(c.route)) problems.push(`canary: route "${c.route}" has two canaries`);
    seen.add(c.route);
    if (base === undefined) problems.push(`canary: route "${c.route}" is not configured`);
    if (dep === undefined) problems.push(`canary: deployment "${c.deployment}" is not a configured route`);
    if (c.route === c.deployment) problems.push(`canary: route "${c.route}" cannot be its own canary`);
    if (base !== undefined && dep !== undefined) {
      const missing = base.endpoints.filter((e) => !dep.endpoints.includes(e));
      if (missing.length > 0)
        problems.push(
          `canary: deployment "${c.deployment}" does not serve ${missing.join(', ')} of route "${c.route}"`,
        );
    }
  }
  return problems;
};
