import { hasSection } from './config-facts.js';
import { tcpReachable } from './probe-client.js';
import { type CheckDef, notConfigured, skipped, verdictOf } from './types.js';

/**
 * What the audit host can reach besides the gateway. The audit runs where a consumer would (a CI
 * runner, a workstation): from there every model endpoint must be out of reach.
 */
const upstreamUnreachable: CheckDef = {
  id: 'CL-01.upstream-unreachable',
  item: 'CL-01',
  title: 'model endpoints unreachable from the audit host',
  severity: 'critical',
  kind: 'reach',
  run: async (input) => {
    if (input.upstreams.length === 0) return skipped('no --upstream given');
    const problems: string[] = [];
    const ok: string[] = [];
    for (const u of input.upstreams) {
      const host = u.hostname.replace(/^\[|\]$/g, '');
      const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
      const r = await tcpReachable(host, port, input.timeoutMs);
      (r.open ? problems : ok).push(`${host}:${port}: ${r.detail}`);
    }
    return verdictOf(
      problems.map((p) => `${p}: directly addressable from outside Zone 2`),
      ok.map((o) => `${o} (unreachable)`),
    );
  },
};

/**
 * Capabilities built by other issues (kill switch, egress proxy). Until their config section exists
 * in this build and is set, the audit says so; it never passes them.
 */
function capabilityCheck(id: string, item: string, title: string, sections: readonly string[]): CheckDef {
  return {
    id,
    item,
    title,
    severity: 'high',
    kind: 'static',
    run: (input) => {
      const cfg = input.config;
      if (cfg === null) return skipped('needs a valid --config');
      const found = sections.find((s) => hasSection(cfg, s));
      if (found === undefined)
        return notConfigured(
          `no ${sections.join(' / ')} section in the config (the capability is not configured in this build)`,
        );
      return skipped(`section ${found} present; this audit version has no read-only probe for it yet`);
    },
  };
}

export const REACH_CHECKS: readonly CheckDef[] = [
  upstreamUnreachable,
  capabilityCheck('PACE-KILL.reachable', 'PACE-KILL', 'kill switch configured and reachable (read-only)', [
    'killSwitch',
    'resilience',
  ]),
  capabilityCheck('CL-11.egress-proxy', 'CL-11', 'agent egress only through the egress proxy', ['egress']),
];
