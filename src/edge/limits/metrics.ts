import { Counter, Gauge, type Registry } from 'prom-client';

/** Labels are bounded sets (route aliases from config, fixed dimension names): never consumer ids. */
export interface LimitMetrics {
  readonly decisions: Counter<'route' | 'result' | 'dimension'>;
  readonly storeUp: Gauge;
  readonly degraded: Counter<'route' | 'posture'>;
  readonly events: Counter<'type'>;
  readonly settleFailures: Counter;
}

/** Leases this replica renews on Redis, and reconciliations waiting for Redis (leases.ts), read at scrape time. */
export function registerLeaseGauge(
  reg: Registry,
  counts: () => { live: number; releases: number; settles: number },
): void {
  new Gauge({
    name: 'gatehouse_limits_leases',
    help: 'Concurrency leases held on Redis by this replica (live), and lease releases and settlements waiting for Redis',
    labelNames: ['state'],
    registers: [reg],
    collect() {
      const c = counts();
      this.set({ state: 'live' }, c.live);
      this.set({ state: 'releasing' }, c.releases);
      this.set({ state: 'settling' }, c.settles);
    },
  });
}

export function createLimitMetrics(reg: Registry): LimitMetrics {
  const storeUp = new Gauge({
    name: 'gatehouse_limits_store_up',
    help: '1 while the limits store (Redis) answers admissions, 0 while the tier posture applies',
    registers: [reg],
  });
  storeUp.set(1);
  return {
    decisions: new Counter({
      name: 'gatehouse_limits_decisions_total',
      help: 'Admissions by result and, for refusals, the dimension that refused',
      labelNames: ['route', 'result', 'dimension'],
      registers: [reg],
    }),
    storeUp,
    degraded: new Counter({
      name: 'gatehouse_limits_store_unavailable_total',
      help: 'Admissions decided by the store-down posture (closed: refused, local: per-replica limits)',
      labelNames: ['route', 'posture'],
      registers: [reg],
    }),
    events: new Counter({
      name: 'gatehouse_limits_events_total',
      help: 'Limit alert events (quota at the alert ratio, cost soft cap, store down/up)',
      labelNames: ['type'],
      registers: [reg],
    }),
    settleFailures: new Counter({
      name: 'gatehouse_limits_settle_failures_total',
      help: 'Settlements that could not reach the store (leases then expire on their own)',
      registers: [reg],
    }),
  };
}
