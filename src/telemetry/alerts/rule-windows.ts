import type { AlertsConfig, SignalsConfig } from '../../config/schema/telemetry.js';
import { promDuration } from './prometheus-rules.js';

/**
 * Exported rules whose range window is too short for the scrape interval. `rate()`, `increase()` and
 * `*_over_time()` need at least two samples in their window, and Prometheus advises four scrape
 * intervals to survive a missed scrape; under that a rule returns nothing and its alert never fires,
 * silently. The signals read from gauges without a range (auth failures, quota) are not affected.
 */
export const SCRAPES_PER_WINDOW = 4;

/** The exported alert of each signal with a range window. */
const RANGED: ReadonlyArray<readonly [keyof SignalsConfig, string]> = [
  ['errorRate', 'GatehouseHighErrorRate'],
  ['latencyP99', 'GatehouseLatencyP99AboveBaseline'],
  ['gpuMemory', 'GatehouseGpuMemoryHigh'],
  ['tokenThroughput', 'GatehouseTokenThroughputDrop'],
  ['guardrailBlockRate', 'GatehouseGuardrailBlockRateSpike'],
  ['unknownConsumer', 'GatehouseUnknownConsumer'],
  ['auditSpool', 'GatehouseAuditSpoolFull'],
  ['egressDenials', 'GatehouseEgressDenialBurst'],
];

export function ruleWindowWarnings(alerts: AlertsConfig, scrapeIntervalMs: number): string[] {
  const min = SCRAPES_PER_WINDOW * scrapeIntervalMs;
  const out: string[] = [];
  for (const [key, alert] of RANGED) {
    const sc = alerts.signals[key];
    if (!sc.enabled || sc.windowMs >= min) continue;
    out.push(
      `telemetry.alerts.signals.${key}.windowMs: ${promDuration(sc.windowMs)} is shorter than ${SCRAPES_PER_WINDOW} scrape intervals (${SCRAPES_PER_WINDOW} × ${promDuration(scrapeIntervalMs)} = ${promDuration(min)}); the exported rule ${alert} would return nothing and never fire (the built-in engine is not affected)`,
    );
  }
  return out;
}
