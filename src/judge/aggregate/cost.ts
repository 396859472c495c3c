import type { JudgeConfig } from '../../config/schema/judge.js';
import type { QuotaUsage } from '../../formats/limit-dimension.js';
import { Lru } from './lru.js';

const HOUR_MS = 3_600_000;
/** Hours of history per consumer: the last day plus the current hour. */
const HOURS = 25;

interface ConsumerHours {
  /** Spend (USD) and tokens per hour slot, indexed by hour number modulo HOURS. */
  readonly cost: Float64Array;
  readonly tokens: Float64Array;
  /** The hour number each slot holds (a stale slot counts as empty). */
  readonly hour: Float64Array;
  /** Hours in which a request rode a quota at or above nearLimitRatio. */
  readonly near: Uint8Array;
  reportedSpike: number;
  reportedNear: number;
}

export interface CostAnomaly {
  readonly kind: 'cost_anomaly' | 'near_limit';
  readonly consumer: string;
  readonly hour: number;
  /** Kind-specific scores, for the finding. */
  readonly scores: Readonly<Record<string, number>>;
  readonly rationale: string;
}

/**
 * Cost and token anomalies per consumer against their own baseline, with no model:
 * - a spike: this hour's spend (or tokens) above `spikeFactor` × the consumer's mean of the
 *   previous hours with traffic, once `minHours` of history exist;
 * - riding the limit: requests at or above `nearLimitRatio` of a quota in `nearLimitHours` distinct
 *   hours of the last day (spend kept just under the rate limits all day, which no limit catches).
 * Each fires at most once per consumer per hour (spike) or per day (near limit). Memory is bounded
 * by `maxSubjects` consumers of fixed-size arrays. This is per process: with replicas each sees its
 * share of the consumer's traffic, and the ratios hold.
 */
export function createCostJudge(cfg: JudgeConfig['aggregate'], now: () => number = Date.now) {
  const subjects = new Lru<ConsumerHours>(cfg.maxSubjects);
  const fresh = (): ConsumerHours => ({
    cost: new Float64Array(HOURS),
    tokens: new Float64Array(HOURS),
    hour: new Float64Array(HOURS).fill(-1),
    near: new Uint8Array(HOURS),
    reportedSpike: -1,
    reportedNear: -1,
  });
  const slot = (s: ConsumerHours, h: number): number => {
    const i = h % HOURS;
    if (s.hour[i] !== h) {
      s.hour[i] = h;
      s.cost[i] = 0;
      s.tokens[i] = 0;
      s.near[i] = 0;
    }
    return i;
  };

  return {
    observe(
      consumer: string,
      cost: number,
      tokens: number,
      quota: readonly QuotaUsage[] | undefined,
    ): CostAnomaly[] {
      const h = Math.floor(now() / HOUR_MS);
      const s = subjects.get(consumer, fresh);
      const i = slot(s, h);
      s.cost[i] = (s.cost[i] ?? 0) + cost;
      s.tokens[i] = (s.tokens[i] ?? 0) + tokens;
      if (quota?.some((q) => q.limit > 0 && q.used / q.limit >= cfg.nearLimitRatio)) s.near[i] = 1;
      const out: CostAnomaly[] = [];

      let hours = 0;
      let costSum = 0;
      let tokenSum = 0;
      let nearHours = 0;
      for (let k = 0; k < HOURS; k++) {
        const at = s.hour[k] ?? -1;
        if (at < 0 || at <= h - 24 || at > h) continue;
        if (s.near[k] === 1) nearHours += 1;
        if (at === h) continue;
        hours += 1;
        costSum += s.cost[k] ?? 0;
        tokenSum += s.tokens[k] ?? 0;
      }
      if (s.reportedSpike !== h && hours >= cfg.minHours) {
        const costRatio = costSum > 0 ? ((s.cost[i] ?? 0) * hours) / costSum : 0;
        const tokenRatio = tokenSum > 0 ? ((s.tokens[i] ?? 0) * hours) / tokenSum : 0;
        if (costRatio > cfg.spikeFactor || tokenRatio > cfg.spikeFactor) {
          s.reportedSpike = h;
          out.push({
            kind: 'cost_anomaly',
            consumer,
            hour: h,
            scores: { cost_ratio: round(costRatio), token_ratio: round(tokenRatio) },
            rationale: `this hour: ${round(costRatio)}x the consumer's mean spend and ${round(tokenRatio)}x its mean tokens over ${hours} previous hours`,
          });
        }
      }
      const day = Math.floor(h / 24);
      if (s.reportedNear !== day && nearHours >= cfg.nearLimitHours) {
        s.reportedNear = day;
        out.push({
          kind: 'near_limit',
          consumer,
          hour: h,
          scores: { near_limit_hours: nearHours },
          rationale: `quota use at or above ${cfg.nearLimitRatio} of a limit in ${nearHours} of the last 24 hours`,
        });
      }
      return out;
    },
  };
}

const round = (n: number): number => Math.round(n * 100) / 100;
