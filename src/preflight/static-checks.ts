import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { lintReport } from '../boot/lint.js';
import { lintAuth } from '../edge/auth/lint.js';
import { pinnedModelsLint } from '../upstream/lint.js';
import { type Config, isLoopbackHost, isPrivateAddress, REMOTE_SINKS, routeGuards } from './config-facts.js';
import {
  type AuditInput,
  type CheckDef,
  fail,
  notApplicable,
  type Outcome,
  pass,
  skipped,
  verdictOf,
} from './types.js';

/**
 * Checks read from the config and its lint: what the deployment is declared to do. The live probes
 * (./live-checks.ts) then verify that the running deployment does it.
 */

/** Upper bounds beyond which a cap no longer bounds anything (documented in docs/audit.md). */
export const CEILINGS = { maxInputTokens: 1_000_000, maxOutputTokens: 131_072, totalMs: 600_000 } as const;

type StaticRun = (cfg: Config, input: AuditInput) => Outcome | Promise<Outcome>;

function staticCheck(def: Omit<CheckDef, 'run' | 'kind'>, run: StaticRun): CheckDef {
  return {
    ...def,
    kind: 'static',
    run: (input) =>
      input.config === null
        ? skipped(
            input.configFile === null ? 'no --config given' : 'the config did not validate (GW-CFG.valid)',
          )
        : run(input.config, input),
  };
}

const configValid: CheckDef = {
  id: 'GW-CFG.valid',
  item: 'GW-CFG',
  title: 'config validates and lints clean',
  severity: 'high',
  kind: 'static',
  run: (input) => {
    if (input.configFile === null && input.config === null) return skipped('no --config given');
    if (input.config === null) return fail(...input.configProblems.slice(0, 20));
    const { errors, warnings } = lintReport(input.config);
    return verdictOf(errors.slice(0, 20), [
      `lint: 0 problems, ${warnings.length} warning(s)`,
      ...warnings.slice(0, 5).map((w) => `warning: ${w}`),
    ]);
  },
};

const upstreamPrivate = staticCheck(
  {
    id: 'CL-01.upstream-private',
    item: 'CL-01',
    title: 'every upstream is on a private or co-located address',
    severity: 'high',
  },
  async (cfg, input) => {
    const problems: string[] = [];
    const ok: string[] = [];
    for (const r of cfg.routes) {
      const u = new URL(r.upstream.url);
      const host = u.hostname.replace(/^\[|\]$/g, '');
      if (r.upstream.socketPath !== undefined || (r.upstream.zone2Colocated && isLoopbackHost(host))) {
        ok.push(`${r.alias}: co-located (${r.upstream.socketPath ?? host})`);
        continue;
      }
      const addrs = isIP(host) ? [host] : await resolveBounded(host, input.timeoutMs).catch(() => null);
      if (addrs === null) {
        ok.push(`${r.alias}: ${host} does not resolve from the audit host (private DNS)`);
        continue;
      }
      const pub = addrs.filter((a) => !isPrivateAddress(a));
      if (pub.length > 0)
        problems.push(`${r.alias}: ${host} resolves to public address(es) ${pub.join(', ')}`);
      else ok.push(`${r.alias}: ${host} → ${addrs.join(', ')} (private)`);
    }
    return verdictOf(problems, ok.length > 0 ? ok : ['no routes']);
  },
);

async function resolveBounded(host: string, ms: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('dns timeout')), ms);
  });
  try {
    const res = await Promise.race([lookup(host, { all: true }), timeout]);
    return res.map((a) => a.address);
  } finally {
    clearTimeout(timer);
  }
}

const authEverywhere = staticCheck(
  {
    id: 'CL-02.auth-required',
    item: 'CL-02',
    title: 'authentication on every route, no API-key-only auth at tier 2+',
    severity: 'critical',
  },
  (cfg) => {
    const a = cfg.auth;
    const tierProblems = lintAuth(cfg as Parameters<typeof lintAuth>[0]).filter((p) =>
      p.includes(' is tier '),
    );
    return verdictOf(tierProblems, [
      'every route requires a credential (Gatehouse has no anonymous route)',
      `${a.consumers.length} consumer(s), ${a.jwt.issuers.length} OIDC issuer(s), mTLS identities: ${a.consumers.filter((c) => c.mtls !== undefined).length}`,
      `route tiers: ${cfg.routes.map((r) => `${r.alias}=${r.tier}`).join(', ') || 'none'}`,
    ]);
  },
);

const limitsOn = staticCheck(
  {
    id: 'CL-13.limits-configured',
    item: 'CL-13',
    title: 'per-consumer limits on requests, input and output tokens, and cost',
    severity: 'high',
  },
  (cfg) => {
    const l = cfg.limits;
    if (!l.enabled) return fail('limits.enabled: false (no rate, token or cost limit is enforced)');
    const plans = Object.entries(l.plans).map(
      ([n, p]) =>
        `plan ${n}: ${p.requests.perMinute} req/min, ${p.inputTokens.perMinute} in-tok/min, ${p.outputTokens.perMinute} out-tok/min, $${p.cost.hardPerHour}/h hard, ${p.concurrency} concurrent`,
    );
    return pass(`default plan: ${l.defaultPlan}`, ...plans);
  },
);

const guardsInline = staticCheck(
  {
    id: 'CL-03.guardrails-inline',
    item: 'CL-03',
    title: 'input and output guardrails on every route',
    severity: 'high',
  },
  (cfg) => {
    if (cfg.routes.length === 0) return notApplicable('no routes');
    const problems: string[] = [];
    for (const g of routeGuards(cfg)) {
      if (!g.inputInline)
        problems.push(`${g.alias}: no input guardrail runs (guard off or every detector disabled)`);
      else if (!g.injection) problems.push(`${g.alias}: injection detector disabled on this route`);
      if (!g.outputInline) problems.push(`${g.alias}: output guardrail disabled`);
    }
    return verdictOf(problems, [
      `${cfg.routes.length} route(s): input (injection, policy, PII, secrets) and output guardrails on each`,
    ]);
  },
);

const sideListeners = staticCheck(
  {
    id: 'CL-04.side-listeners',
    item: 'CL-04',
    title: 'health and metrics on their own ports, health on loopback',
    severity: 'high',
  },
  (cfg) => {
    const problems: string[] = [];
    const ok: string[] = [];
    const data = cfg.server.port;
    for (const name of ['health', 'metrics'] as const) {
      const l = cfg[name];
      if (!l.enabled) {
        ok.push(`${name}: disabled`);
        continue;
      }
      if (l.port !== 0 && l.port === data) problems.push(`${name}.port ${l.port} is the data-plane port`);
      else ok.push(`${name}: ${l.host}:${l.port} (data plane ${cfg.server.host}:${data})`);
    }
    if (cfg.health.enabled && !isLoopbackHost(cfg.health.host))
      problems.push(
        `health.host ${cfg.health.host}: not loopback (probe it with node dist/deploy/healthcheck.js inside the pod)`,
      );
    if (cfg.metrics.enabled && !isLoopbackHost(cfg.metrics.host))
      ok.push(
        `metrics.host ${cfg.metrics.host}: reachable off-host; a network policy must admit only Zone 6 (deploy/kubernetes)`,
      );
    return verdictOf(problems, ok);
  },
);

const tlsConfigured = staticCheck(
  { id: 'CL-05.tls-configured', item: 'CL-05', title: 'data plane serves TLS 1.2+', severity: 'high' },
  (cfg) => {
    const t = cfg.server.tls;
    if (t === undefined)
      return fail(
        `server.tls absent: plain HTTP on ${cfg.server.host}:${cfg.server.port}` +
          (isLoopbackHost(cfg.server.host) ? ' (loopback: TLS must then terminate at a proxy in front)' : ''),
      );
    return pass(`server.tls.minVersion: ${t.minVersion}`, `TLS 1.2 ciphers: ${t.ciphers}`);
  },
);

const mtlsTier3 = staticCheck(
  { id: 'CL-06.mtls-tier3', item: 'CL-06', title: 'mTLS for tier 3 routes, both hops', severity: 'high' },
  (cfg) => {
    const t3 = cfg.routes.filter((r) => r.tier === 3);
    if (t3.length === 0) return notApplicable('no tier 3 route');
    const problems: string[] = [];
    if (cfg.server.tls?.clientAuth !== 'required')
      problems.push(
        `server.tls.clientAuth: ${cfg.server.tls?.clientAuth ?? 'no TLS'} (tier 3 needs required)`,
      );
    for (const r of t3) {
      const colocated = r.upstream.zone2Colocated || r.upstream.socketPath !== undefined;
      if (!colocated && r.upstream.tls?.cert === undefined)
        problems.push(`${r.alias}: upstream hop without a client certificate (upstream.tls.cert)`);
    }
    return verdictOf(problems, [
      `${t3.length} tier 3 route(s); listener requires client certificates; upstream hops use mTLS or are co-located`,
    ]);
  },
);

const capsAndTimeouts = staticCheck(
  {
    id: 'CL-08.caps-and-timeouts',
    item: 'CL-08',
    title: 'input-token, output-token and request-time caps on every route',
    severity: 'high',
  },
  (cfg) => {
    if (cfg.routes.length === 0) return notApplicable('no routes');
    const problems: string[] = [];
    const ok: string[] = [];
    for (const r of cfg.routes) {
      const { maxInputTokens, maxOutputTokens } = r.caps;
      const total = r.timeouts.totalMs;
      if (maxInputTokens > CEILINGS.maxInputTokens)
        problems.push(`${r.alias}: caps.maxInputTokens ${maxInputTokens} > ${CEILINGS.maxInputTokens}`);
      if (maxOutputTokens > CEILINGS.maxOutputTokens)
        problems.push(`${r.alias}: caps.maxOutputTokens ${maxOutputTokens} > ${CEILINGS.maxOutputTokens}`);
      if (total > CEILINGS.totalMs)
        problems.push(`${r.alias}: timeouts.totalMs ${total} > ${CEILINGS.totalMs}`);
      ok.push(`${r.alias}: ≤${maxInputTokens} input tokens, ≤${maxOutputTokens} output tokens, ≤${total} ms`);
    }
    ok.push(`body ≤ ${cfg.server.maxBodyBytes} bytes`);
    return verdictOf(problems, ok);
  },
);

const pinned = staticCheck(
  {
    id: 'CL-09.model-pinned',
    item: 'CL-09',
    title: 'every route pins an exact model version',
    severity: 'high',
  },
  (cfg) => {
    // Every floating id is a problem for the audit, tier 1 included: the checklist says "in production".
    const findings = pinnedModelsLint(cfg).map((f) => (typeof f === 'string' ? f : f.message));
    return verdictOf(
      findings,
      cfg.routes.map((r) => `${r.alias} → ${r.upstream.model}`),
    );
  },
);

const siem = staticCheck(
  { id: 'CL-12.siem-sink', item: 'CL-12', title: 'audit events go to a SIEM sink', severity: 'medium' },
  (cfg) => {
    const a = cfg.telemetry.audit;
    if (!a.enabled) return fail('telemetry.audit.enabled: false');
    const remote = a.sinks.filter((s) => REMOTE_SINKS.has(s.kind));
    if (remote.length === 0)
      return fail(
        `no SIEM sink (sinks: ${a.sinks.map((s) => s.kind).join(', ') || 'none'}); add splunk_hec, elasticsearch or syslog`,
      );
    return pass(
      ...remote.map((s) => `sink ${s.name}: ${s.kind}`),
      'every event carries user.id, source.ip, session.id, trace.id and the request id',
    );
  },
);

const credentialScanning = staticCheck(
  {
    id: 'CL-14.credential-scanning',
    item: 'CL-14',
    title: 'secret detectors on input and output of every route',
    severity: 'high',
  },
  (cfg) => {
    if (cfg.routes.length === 0) return notApplicable('no routes');
    const problems: string[] = [];
    for (const g of routeGuards(cfg)) {
      if (!g.inputSecrets) problems.push(`${g.alias}: input secret scanning off (or action allow)`);
      if (!g.outputSecrets) problems.push(`${g.alias}: output secret scanning off (or action allow)`);
    }
    return verdictOf(problems, [`${cfg.routes.length} route(s): secrets scanned in and out`]);
  },
);

export const STATIC_CHECKS: readonly CheckDef[] = [
  configValid,
  upstreamPrivate,
  authEverywhere,
  guardsInline,
  sideListeners,
  tlsConfigured,
  mtlsTier3,
  capsAndTimeouts,
  pinned,
  siem,
  limitsOn,
  credentialScanning,
];
