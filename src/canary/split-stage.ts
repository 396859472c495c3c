import { createHash } from 'node:crypto';
import { type CanarySide, canaryStampSlot, deploymentSlot } from '../pipeline/canary.js';
import type { StageDef } from '../pipeline/registry.js';
import { CANARY } from './service.js';

/**
 * Sticky assignment: a hash of route, canary deployment and the consumer (or session) to one of
 * 10,000 buckets; the canary holds the buckets below weight × 100. Raising the weight only adds
 * buckets, so a consumer on the canary stays there through promotion stages.
 */
export function assignBucket(route: string, deployment: string, key: string): number {
  const h = createHash('sha256').update(`${route}\n${deployment}\n${key}`).digest();
  return h.readUInt32BE(0) % 10_000;
}

/**
 * Chooses the side once the consumer is known and before anything the side changes runs: the input
 * guard (a guard-policy canary), the output guard's preparation (a system-prompt canary) and the
 * upstream call (a model-version canary) all read `deploymentSlot`. In `admit` so that requests the
 * input guard blocks are counted on their side (the block rate is what a policy canary is about).
 */
export const canarySplitStage: StageDef = {
  name: 'canary.split',
  phase: 'admit',
  scope: 'route',
  create: (rt, route) => {
    const control = CANARY.get(rt)?.controls.get(route.alias);
    const dep = control === undefined ? undefined : rt.routes.get(control.cfg.deployment);
    if (control === undefined || dep === undefined) return null;
    const bySession = control.cfg.stickBy === 'session';
    const baseStamp = {
      side: 'baseline' as CanarySide,
      deployment: route.alias,
      model: route.config.upstream.model,
    };
    const canaryStamp = {
      side: 'canary' as CanarySide,
      deployment: dep.alias,
      model: dep.config.upstream.model,
    };
    // Once promoted, the canary's deployment is the pinned baseline (a runtime override from the store).
    const promotedStamp = { ...canaryStamp, side: 'baseline' as CanarySide };
    return (ctx) => {
      const s = control.current();
      if (s.status === 'promoted') {
        canaryStampSlot.set(ctx, promotedStamp);
        deploymentSlot.set(ctx, dep);
        return;
      }
      const id = ctx.identity;
      const key = (bySession ? (id?.session ?? id?.consumer) : id?.consumer) ?? `ip:${ctx.sourceIp}`;
      if (
        s.status === 'running' &&
        s.weight > 0 &&
        assignBucket(route.alias, dep.alias, key) < s.weight * 100
      ) {
        canaryStampSlot.set(ctx, canaryStamp);
        deploymentSlot.set(ctx, dep);
      } else canaryStampSlot.set(ctx, baseStamp);
    };
  },
};
