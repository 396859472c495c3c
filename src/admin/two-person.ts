import type { AdminRequest, AdminRouteDef } from '../pipeline/admin.js';
import type { Runtime } from '../pipeline/runtime.js';

/**
 * Which calls need a second person: `admin.twoPerson.actions` lists action kinds, and an entry
 * `kind@tier3` (or `@tier2`) applies only when the route reports its target's tier at or above it.
 */
export type TwoPersonRule = (def: AdminRouteDef, req: AdminRequest) => boolean;

export function compileTwoPerson(rt: Runtime, actions: readonly string[]): TwoPersonRule {
  const always = new Set<string>();
  const fromTier = new Map<string, number>();
  for (const a of actions) {
    const m = /^(.+)@tier([123])$/.exec(a);
    if (m === null) always.add(a);
    else {
      const [, kind = a, tier = '3'] = m;
      fromTier.set(kind, Math.min(fromTier.get(kind) ?? 3, Number(tier)));
    }
  }
  return (def, req) => {
    if (def.action === undefined) return false;
    if (always.has(def.action)) return true;
    const min = fromTier.get(def.action);
    if (min === undefined) return false;
    // A route that cannot tell its target's tier is treated as the highest: the safe side.
    const tier = def.tierOf?.(rt, req) ?? 3;
    return tier >= min;
  };
}
