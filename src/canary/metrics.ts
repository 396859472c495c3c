import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Canary metrics with a `side` label (baseline | canary), so Argo Rollouts or Flagger analyses can
 * read the same numbers the gates use. Labels are route aliases, detector names and sides: bounded
 * sets from the config, never consumer values.
 */
export function canaryMetrics(reg: Registry) {
  const registers = [reg];
  return {
    requests: new Counter({
      name: 'gatehouse_canary_requests_total',
      help: 'Requests on a route with a canary, by side',
      labelNames: ['route', 'side'],
      registers,
    }),
    errors: new Counter({
      name: 'gatehouse_canary_errors_total',
      help: 'Failed requests (5xx) on a route with a canary, by side',
      labelNames: ['route', 'side'],
      registers,
    }),
    guard: new Counter({
      name: 'gatehouse_canary_guard_interventions_total',
      help: 'Guardrail block, redact or flag decisions on a route with a canary, by side and detector',
      labelNames: ['route', 'side', 'phase', 'detector', 'action'],
      registers,
    }),
    outputTokens: new Histogram({
      name: 'gatehouse_canary_output_tokens',
      help: 'Output tokens per answer on a route with a canary, by side',
      labelNames: ['route', 'side'],
      buckets: [16, 32, 64, 128, 256, 512, 1024, 2048, 4096],
      registers,
    }),
    latency: new Histogram({
      name: 'gatehouse_canary_request_duration_seconds',
      help: 'Request latency on a route with a canary, by side',
      labelNames: ['route', 'side'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    cost: new Counter({
      name: 'gatehouse_canary_cost_usd_total',
      help: 'Cost on a route with a canary, by side',
      labelNames: ['route', 'side'],
      registers,
    }),
    weight: new Gauge({
      name: 'gatehouse_canary_weight_percent',
      help: 'Percent of consumers on the canary (0 after a rollback, 100 once promoted)',
      labelNames: ['route'],
      registers,
    }),
    rollbacks: new Counter({
      name: 'gatehouse_canary_rollbacks_total',
      help: 'Canary rollbacks seen by this replica, by trigger (gate or operator)',
      labelNames: ['route', 'trigger'],
      registers,
    }),
    gate: new Gauge({
      name: 'gatehouse_canary_gate_failed',
      help: '1 while a canary gate fails on the last evaluation',
      labelNames: ['route', 'metric'],
      registers,
    }),
  };
}

export type CanaryMetrics = ReturnType<typeof canaryMetrics>;
