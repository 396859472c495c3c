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
 * The kill switch is built into every gateway (the resilience feature); what the config decides is
 * whether it still works when the control plane and the store are gone: the on-disk flag. Without
 * it the switch depends on the store answering, which an incident may be about.
 */
const killSwitchReachable: CheckDef = {
  id: 'PACE-KILL.reachable',
  item: 'PACE-KILL',
  title: 'kill switch engageable without the model endpoint, the control plane or the store',
  severity: 'high',
  kind: 'static',
  run: (input) => {
    const cfg = input.config;
    if (cfg === null) return skipped('needs a valid --config');
    const ks = cfg.resilience.killSwitch;
    const evidence = [
      'the kill switch stage answers before authentication, the limiter, the detectors and the upstream (src/resilience/killswitch)',
      `store: ${cfg.store.kind} (${cfg.store.kind === 'redis' ? 'propagates to every replica through pub/sub and polling' : 'one process only'}), poll ${ks.pollMs} ms`,
    ];
    if (ks.file === undefined)
      return {
        verdict: 'fail',
        evidence: [
          ...evidence,
          'resilience.killSwitch.file is not set: without the store there is no way to engage it',
        ],
      };
    return {
      verdict: 'pass',
      evidence: [
        ...evidence,
        `file flag: ${ks.file} (engages on every replica that can read it, store or not)`,
      ],
    };
  },
};

/**
 * Egress: identities configured on the proxy, and the policy check (`gatehouse egress test`) run
 * here against the config's own proxy on an ephemeral loopback port, when probes are configured.
 */
const egressConfined: CheckDef = {
  id: 'CL-11.egress-proxy',
  item: 'CL-11',
  title: 'agent egress only through the egress proxy, with a tested allowlist',
  severity: 'high',
  kind: 'reach',
  run: async (input) => {
    const cfg = input.config;
    if (cfg === null) return skipped('needs a valid --config');
    const e = cfg.egress;
    if (e.identities.length === 0)
      return notConfigured(
        'no egress.identities: tool servers and model endpoints are not confined by the egress proxy',
      );
    if (e.probes.length === 0)
      return {
        verdict: 'fail',
        evidence: [
          `${e.identities.length} egress identities but no egress.probes: the network policy is never tested`,
        ],
      };
    const { startEgress } = await import('../boot/egress.js');
    const { runProbes } = await import('../egress/probe.js');
    const { resolveSecret } = await import('../config/secrets.js');
    const pino = (await import('pino')).default;
    const proxy = await startEgress(
      { ...cfg, egress: { ...e, host: '127.0.0.1', port: 0 } },
      { logger: pino({ level: 'silent' }) },
    );
    try {
      const results = await runProbes(e, `http://127.0.0.1:${proxy.address.port}`, (ref) =>
        resolveSecret(ref),
      );
      return verdictOf(
        results
          .filter((r) => !r.pass)
          .map((r) => `${r.identity} -> ${r.target}: expected ${r.expect}, got ${r.got} (${r.detail})`),
        results.filter((r) => r.pass).map((r) => `${r.identity} -> ${r.target}: ${r.got} as expected`),
      );
    } finally {
      await proxy.close();
    }
  },
};

export const REACH_CHECKS: readonly CheckDef[] = [upstreamUnreachable, killSwitchReachable, egressConfined];
