import type { Logger } from 'pino';
import type { JudgeConfig } from '../config/schema/judge.js';
import type { DegradationSignals } from '../pipeline/pace.js';
import type { JudgeBackend } from './backend/types.js';
import type { Breaker, BreakerState } from './breaker.js';
import type { JudgeMetrics } from './metrics.js';

export interface JudgeHealth {
  readonly degraded: boolean;
  readonly breaker: BreakerState;
  readonly depth: number | null;
  readonly reason: string | null;
}

const BREAKER_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, half_open: 1, open: 2 };

/**
 * Judge health, read on a timer: the breaker's state and the queue's depth. Open breaker or a
 * backlog past `queue.backlogThreshold` → degraded: `judge_degraded` is raised to PACE (every
 * route: Contingency escalation), the gauge goes to 1 and the alert callback fires once per
 * change. Nothing on the data plane waits for any of it.
 */
export function createHealthMonitor(opts: {
  readonly cfg: JudgeConfig;
  readonly backend: JudgeBackend;
  readonly breaker: Breaker;
  readonly metrics: JudgeMetrics;
  readonly logger: Logger;
  readonly signals: () => DegradationSignals | undefined;
  readonly alert: (h: JudgeHealth) => void;
}) {
  let current: JudgeHealth = { degraded: false, breaker: 'closed', depth: null, reason: null };
  return {
    current: () => current,
    async check(): Promise<JudgeHealth> {
      const breaker = opts.breaker.state();
      let depth: number | null = null;
      try {
        depth = await opts.backend.depth();
      } catch (err) {
        opts.logger.warn({ err: (err as Error).message }, 'judge queue depth unavailable');
      }
      const backlog = depth !== null && depth > opts.cfg.queue.backlogThreshold;
      const open = breaker === 'open';
      // A queue that cannot be read (the store is down) holds records nobody will judge: degraded too.
      const reason = open
        ? 'breaker_open'
        : depth === null
          ? 'queue_unavailable'
          : backlog
            ? 'queue_backlog'
            : null;
      const next: JudgeHealth = { degraded: reason !== null, breaker, depth, reason };
      opts.metrics.breaker.set(BREAKER_VALUE[breaker]);
      if (depth !== null) opts.metrics.depth.set(depth);
      opts.metrics.degraded.set(next.degraded ? 1 : 0);
      if (next.degraded !== current.degraded) {
        opts.signals()?.set('judge_degraded', null, next.degraded, reason ?? 'recovered');
        (next.degraded ? opts.logger.warn.bind(opts.logger) : opts.logger.info.bind(opts.logger))(
          { judge: { reason, depth, breaker } },
          next.degraded ? 'judge degraded' : 'judge recovered',
        );
        opts.alert(next);
      }
      current = next;
      return next;
    },
  };
}
