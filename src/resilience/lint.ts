import type { LintRule } from '../config/lint-finding.js';

/**
 * Per-route resilience settings name routes that exist; a backup is another route (pinned like any
 * route) and never the route itself; a queued tier-3 request would outlive its consumer's session
 * checks, so queueing there is refused; a callback allowlist without the queue does nothing.
 */
export const resilienceLint: LintRule = (cfg) => {
  const out: string[] = [];
  const aliases = new Map(cfg.routes.map((r) => [r.alias, r]));
  for (const [alias, rc] of Object.entries(cfg.resilience.routes)) {
    const at = `resilience.routes.${alias}`;
    const route = aliases.get(alias);
    if (route === undefined) {
      out.push(`${at}: no route has this alias`);
      continue;
    }
    rc.backups.forEach((b, i) => {
      const br = aliases.get(b);
      if (br === undefined) out.push(`${at}.backups[${i}]: no route has the alias "${b}"`);
      else if (b === alias) out.push(`${at}.backups[${i}]: a route cannot be its own backup`);
      else if (br.tier < route.tier)
        out.push(
          `${at}.backups[${i}]: backup "${b}" is tier ${br.tier}, below the route's tier ${route.tier}`,
        );
    });
    if (rc.contingency.queue && route.tier >= 3)
      out.push(`${at}.contingency.queue: tier 3 routes refuse in Contingency rather than queue`);
  }
  return out;
};
