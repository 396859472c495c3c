import type { Runtime, RuntimeRoute } from '../config/runtime.js';
import type { Stage } from './context.js';
import { COMPLETION_PHASES, PHASES, type Phase } from './phases.js';
import type { StageDef } from './registry.js';

const order = new Map<Phase, number>(PHASES.map((p, i) => [p, i]));
const EDGE_PHASES: ReadonlySet<Phase> = new Set(['correlate', 'authenticate', 'validate']);
const COMPLETION: ReadonlySet<Phase> = new Set(COMPLETION_PHASES);

export interface BuiltPipeline {
  readonly edge: readonly Stage[];
  readonly completion: readonly Stage[];
}

/** Checks every definition's phase and scope once, at boot, and sorts by the phase list (stable). */
export function checkStageDefs(defs: readonly StageDef[]): readonly StageDef[] {
  for (const d of defs) {
    if (!order.has(d.phase)) throw new Error(`stage ${d.name}: unknown phase "${d.phase}"`);
    if (d.scope === 'edge' && !EDGE_PHASES.has(d.phase))
      throw new Error(`stage ${d.name}: edge stages run in correlate, authenticate or validate`);
    if (d.scope === 'completion' && !COMPLETION.has(d.phase))
      throw new Error(`stage ${d.name}: completion stages run in settle or record`);
    if (
      d.scope === 'route' &&
      (COMPLETION.has(d.phase) || d.phase === 'correlate' || d.phase === 'authenticate')
    )
      throw new Error(`stage ${d.name}: route stages run from validate to inspectOutput`);
  }
  return [...defs].sort((a, b) => order.get(a.phase)! - order.get(b.phase)!);
}

export function buildEdge(rt: Runtime, defs: readonly StageDef[]): BuiltPipeline {
  const edge: Stage[] = [];
  const completion: Stage[] = [];
  for (const d of defs) {
    if (d.scope === 'edge') push(edge, d.create(rt));
    else if (d.scope === 'completion') push(completion, d.create(rt));
  }
  return { edge, completion };
}

export function buildRoute(rt: Runtime, route: RuntimeRoute, defs: readonly StageDef[]): readonly Stage[] {
  const out: Stage[] = [];
  for (const d of defs) if (d.scope === 'route') push(out, d.create(rt, route));
  return out;
}

function push(list: Stage[], s: Stage | null): void {
  if (s !== null) list.push(s);
}
