import { canaryStampSlot } from '../pipeline/canary.js';
import type { StageDef } from '../pipeline/registry.js';
import { CANARY } from './service.js';
import { bucketOf } from './stats-math.js';

/**
 * After every request on a route with a canary: the side's counts into the store (the comparison)
 * and into Prometheus with a `side` label. Guard interventions (block, redact, flag) count per phase
 * and detector; latency, output tokens and cost only for answers that were served.
 */
export const canaryRecordStage: StageDef = {
  name: 'canary.record',
  phase: 'record',
  scope: 'completion',
  create: (rt) => {
    const svc = CANARY.get(rt);
    if (svc === undefined) return null;
    const m = svc.metrics;
    const log = rt.logger;
    return async (ctx) => {
      const stamp = canaryStampSlot.get(ctx);
      const route = ctx.route?.alias;
      if (stamp === undefined || route === undefined) return;
      const side = stamp.side;
      const labels = { route, side };
      const failed = ctx.status >= 500;
      const fields: Record<string, number> = { n: 1, err: failed ? 1 : 0 };
      m.requests.inc(labels);
      if (failed) m.errors.inc(labels);
      const seen = new Set<string>();
      for (const v of ctx.verdicts) {
        if (v.action === 'allow') continue;
        m.guard.inc({ ...labels, phase: v.phase, detector: v.detector, action: v.action });
        // One count per detector and request: the rate is "requests the detector acted on".
        const f = `g:${v.phase}:${v.detector}`;
        if (!seen.has(f)) fields[f] = 1;
        seen.add(f);
      }
      if (ctx.status < 400 && ctx.error === null) {
        const ms = performance.now() - ctx.start;
        const tokens = ctx.usage?.outputTokens ?? 0;
        fields[`t:${bucketOf(tokens)}`] = 1;
        fields[`l:${bucketOf(ms)}`] = 1;
        const micros = Math.round(ctx.cost * 1e6);
        fields[`c:${bucketOf(micros)}`] = 1;
        fields.cost = micros;
        m.outputTokens.observe(labels, tokens);
        m.latency.observe(labels, ms / 1000);
        m.cost.inc(labels, ctx.cost);
      }
      await svc.record(route, side, fields).catch((err) => {
        log.warn({ route, err: String(err) }, 'canary counts not recorded');
      });
    };
  },
};
