import { hostname } from 'node:os';
import { Counter, Gauge } from 'prom-client';
import type { SecurityEventInput } from '../pipeline/audit-signals.js';
import { AUDIT_SINK } from '../pipeline/audit-sink.js';
import type { RequestContext } from '../pipeline/context.js';
import {
  degradationKey,
  killViewKey,
  PACE_STATES,
  type PaceStamp,
  type PaceState,
  paceStampSlot,
  paceViewKey,
} from '../pipeline/pace.js';
import type { Runtime, RuntimeRoute } from '../pipeline/runtime.js';
import { upstreamPolicyKey } from '../pipeline/upstream-policy.js';
import { createKillSwitch, type KillSwitch, type KillTransition } from './killswitch/service.js';
import { createPaceMachine, type PaceMachine, type PaceOverride, parseOverride } from './pace/machine.js';
import { buildJobs, type JobsService } from './queue/service.js';
import { createSharedMap, type SharedMap } from './shared-map.js';
import { RESILIENCE } from './slots.js';
import { type Breakers, createBreakers } from './upstream/breaker.js';
import { createUpstreamPolicy, type Deployment } from './upstream/policy.js';

export interface ResilienceService {
  readonly killSwitch: KillSwitch;
  readonly breakers: Breakers;
  readonly pace: PaceMachine;
  readonly overrides: SharedMap<PaceOverride>;
  /** The route's deployments: its own, then its backups in order. */
  deploymentsOf(alias: string): readonly Deployment[];
  /** Sets (or returns) this request's PACE stamp for the audit event. */
  stamp(ctx: RequestContext, state: PaceState): PaceStamp;
  /** The contingency queue, when a route uses it on a Redis store. */
  readonly jobs: JobsService | null;
  /** For /health: the kill switch and each route's state. */
  health(): object;
}

const deploymentOf = (route: RuntimeRoute): Deployment => ({
  route,
  name: route.config.upstream.model,
  key: route.alias,
});

export async function buildResilience(rt: Runtime): Promise<void> {
  const cfg = rt.config.resilience;
  if (!cfg.enabled) return;
  const replica = `${hostname()}:${process.pid}`;
  const log = rt.logger.child({ component: 'resilience' });
  const security = (input: SecurityEventInput) => AUDIT_SINK.get(rt)?.security(input);

  const deployments = new Map<string, Deployment[]>();
  for (const [alias, route] of rt.routes) {
    const list: Deployment[] = [deploymentOf(route)];
    for (const b of cfg.routes[alias]?.backups ?? []) {
      const br = rt.routes.get(b);
      // The lint refuses unknown backups before a start; a test build without it skips them.
      if (br !== undefined && br !== route) list.push(deploymentOf(br));
    }
    deployments.set(alias, list);
  }
  const deploymentsOf = (alias: string): readonly Deployment[] => deployments.get(alias) ?? [];

  const onKill = (t: KillTransition) => {
    const e = t.entry;
    const target = e.scope === 'all' ? 'all' : `${e.scope}:${e.target}`;
    const who =
      t.kind === 'engaged' ? e.by : (t.release?.by ?? (e.source === 'file' ? 'file removed' : 'unknown'));
    const why = t.kind === 'engaged' ? e.reason : (t.release?.reason ?? '');
    log.warn(
      {
        event: `killswitch.${t.kind}`,
        scope: e.scope,
        target: e.target,
        by: who,
        reason: why,
        source: e.source,
      },
      `kill switch ${t.kind}`,
    );
    security({
      action: 'mode.change',
      from: t.kind === 'engaged' ? 'serving' : 'emergency',
      to: t.kind === 'engaged' ? 'emergency' : 'serving',
      reason: `kill switch ${t.kind} (${target}) by ${who}: ${why}`.slice(0, 1024),
      mode: { kind: 'kill', scope: e.scope, target: e.target, engaged: t.kind === 'engaged' },
    });
    killGauge.set({ scope: e.scope }, killSwitch.engaged().filter((x) => x.scope === e.scope).length);
    pace?.tick();
  };
  const killGauge = new Gauge({
    name: 'gatehouse_killswitch_engaged',
    help: 'Kill-switch entries engaged, by scope',
    labelNames: ['scope'],
    registers: [rt.metrics],
  });
  const killSwitch = createKillSwitch({
    store: rt.store,
    config: cfg.killSwitch,
    logger: log,
    onTransition: onKill,
  });
  rt.closers.push(() => killSwitch.close());

  const breakerGauge = new Gauge({
    name: 'gatehouse_breaker_state',
    help: 'Circuit breaker per deployment: 0 closed, 1 half-open, 2 open',
    labelNames: ['deployment'],
    registers: [rt.metrics],
  });
  const breakers = createBreakers({
    store: rt.store,
    pollMs: cfg.killSwitch.pollMs,
    replica,
    onChange: (d, s) => {
      breakerGauge.set({ deployment: d }, s === 'closed' ? 0 : s === 'half_open' ? 1 : 2);
      log.warn({ event: 'breaker.change', deployment: d, state: s }, `breaker ${s}`);
      pace?.tick();
    },
  });
  rt.closers.push(() => breakers.close());

  const overrides = createSharedMap<PaceOverride>({
    store: rt.store,
    name: '{pace}:override',
    pollMs: cfg.killSwitch.pollMs,
    parse: parseOverride,
    onChange: () => pace?.tick(),
  });
  rt.closers.push(() => overrides.close());

  const stateGauge = new Gauge({
    name: 'gatehouse_pace_state',
    help: 'PACE state per route (1 for the current state)',
    labelNames: ['route', 'state'],
    registers: [rt.metrics],
  });
  const routes = [...rt.routes.keys()];
  for (const r of routes)
    for (const s of PACE_STATES) stateGauge.set({ route: r, state: s }, s === 'primary' ? 1 : 0);
  const transitions = new Counter({
    name: 'gatehouse_pace_transitions_total',
    help: 'PACE state transitions per route and target state',
    labelNames: ['route', 'to'],
    registers: [rt.metrics],
  });
  let pace: PaceMachine | null = null;
  pace = createPaceMachine(
    cfg,
    routes,
    {
      killed: (r) => killSwitch.match(r, null, null) !== null,
      primaryDown: (r) => {
        const p = deploymentsOf(r)[0];
        return p !== undefined && breakers.state(p.key) !== 'closed';
      },
      overrides: () => overrides.snapshot(),
    },
    (t) => {
      for (const s of PACE_STATES) stateGauge.set({ route: t.route, state: s }, s === t.to ? 1 : 0);
      transitions.inc({ route: t.route, to: t.to });
      log.warn(
        { event: 'pace.transition', route: t.route, from: t.from, to: t.to, reason: t.reason },
        `PACE ${t.from} → ${t.to}`,
      );
      security({
        action: 'mode.change',
        from: `${t.route}:${t.from}`,
        to: `${t.route}:${t.to}`,
        reason: t.reason,
        mode: { kind: 'pace', route: t.route, state: t.to },
      });
    },
  );
  const machine = pace;
  const tickTimer = setInterval(() => machine.tick(), Math.min(1_000, cfg.killSwitch.pollMs * 2));
  tickTimer.unref();
  rt.closers.push(() => clearInterval(tickTimer));

  const retries = new Counter({
    name: 'gatehouse_upstream_retries_total',
    help: 'Upstream attempts that were retries, per route and deployment',
    labelNames: ['route', 'deployment'],
    registers: [rt.metrics],
  });
  const fallbacks = new Counter({
    name: 'gatehouse_upstream_fallbacks_total',
    help: 'Requests answered by a backup deployment, per route and deployment',
    labelNames: ['route', 'deployment'],
    registers: [rt.metrics],
  });

  const stamp = (ctx: RequestContext, state: PaceState): PaceStamp =>
    paceStampSlot.getOrInit(ctx, () => ({ state, fallback: null, attempts: 0, review: false }));
  const primaryHeld = (r: string): boolean => {
    const p = deploymentsOf(r)[0];
    return killSwitch.match(r, null, null) !== null || (p !== undefined && breakers.state(p.key) === 'open');
  };
  const jobs = buildJobs(rt, replica, primaryHeld, log);
  const policyDeps = {
    config: cfg,
    killSwitch,
    breakers,
    pace: machine,
    deploymentsOf,
    stamp,
    enqueue: (ctx: RequestContext, route: RuntimeRoute) =>
      jobs === null ? Promise.resolve(false) : jobs.enqueue(ctx, route),
    counters: {
      retry: (route: string, d: string) => retries.inc({ route, deployment: d }),
      fallback: (route: string, d: string) => fallbacks.inc({ route, deployment: d }),
    },
  };
  upstreamPolicyKey.set(rt, createUpstreamPolicy(policyDeps));
  paceViewKey.set(rt, machine);
  killViewKey.set(rt, { stops: (scope, target) => killSwitch.stops(scope, target) !== null });
  degradationKey.set(rt, machine);

  const svc: ResilienceService = {
    killSwitch,
    breakers,
    pace: machine,
    overrides,
    deploymentsOf,
    stamp,
    jobs,
    health: () => {
      const engaged = killSwitch.engaged();
      return {
        kill_switch: {
          engaged: engaged.length > 0,
          // Scope kinds only: consumer names stay off the health port.
          scopes: [...new Set(engaged.map((e) => e.scope))],
          store_reachable: killSwitch.storeReachable(),
        },
        pace: Object.fromEntries(routes.map((r) => [r, machine.stateOf(r)])),
      };
    },
  };
  RESILIENCE.set(rt, svc);
}
