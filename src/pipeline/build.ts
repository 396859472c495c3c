import type { Stage } from './context.js';
import { COMPLETION_PHASES, PHASES, type Phase } from './phases.js';
import type { StageDef } from './registry.js';
import type { Runtime, RuntimeRoute } from './runtime.js';

const order = new Map<Phase, number>(PHASES.map((p, i) => [p, i]));
const EDGE_PHASES: ReadonlySet<Phase> = new Set(['correlate', 'authenticate', 'validate']);
const COMPLETION: ReadonlySet<Phase> = new Set(COMPLETION_PHASES);

export interface BuiltPipeline {
  readonly edge: readonly Stage[];
  readonly completion: readonly Stage[];
}

/** Within `validate`, the edge stages (built once) run before the route's stages. */
const SCOPE_RANK = { edge: 0, route: 1, completion: 2 } as const;

/**
 * Checks every definition once, at boot, and returns them in run order: by the phase list, then
 * within each phase a topological order of the `before`/`after` constraints, ties broken by name
 * (so the order never depends on the order of the list). Fails boot on an unknown phase, a scope
 * that cannot run in its phase, a name registered twice, a constraint naming an unknown stage or a
 * stage of another phase, or a cycle.
 *
 * `catalog` is every stage the gateway knows (`STAGES`); a constraint may name a catalog stage that
 * this build leaves out (a test or bench subset), and then has nothing to order. A name in neither
 * is a typo and refused.
 */
export function checkStageDefs(
  defs: readonly StageDef[],
  catalog: readonly StageDef[] = defs,
): readonly StageDef[] {
  const byName = new Map<string, StageDef>();
  for (const d of defs) {
    checkPhaseAndScope(d);
    if (byName.has(d.name)) throw new Error(`stage ${d.name}: registered twice`);
    byName.set(d.name, d);
  }
  const known = new Map(catalog.map((d) => [d.name, d]));
  /** For each stage, the stages that must run after it. */
  const later = new Map<string, Set<string>>(defs.map((d) => [d.name, new Set<string>()]));
  for (const d of defs) {
    const refs: Array<['before' | 'after', string]> = [
      ...(d.before ?? []).map((r): ['before', string] => ['before', r]),
      ...(d.after ?? []).map((r): ['after', string] => ['after', r]),
    ];
    for (const [rel, ref] of refs) {
      if (ref === d.name) throw new Error(`stage ${d.name}: "${rel}" names the stage itself`);
      const other = byName.get(ref) ?? known.get(ref);
      if (other === undefined) throw new Error(`stage ${d.name}: "${rel}" names unknown stage "${ref}"`);
      if (other.phase !== d.phase)
        throw new Error(
          `stage ${d.name} (phase ${d.phase}): "${rel}" names "${ref}" of phase ${other.phase}; ` +
            'before/after order stages within one phase (the phase list orders the phases)',
        );
      if (!byName.has(ref)) continue;
      const [first, second] = rel === 'before' ? [d, other] : [other, d];
      if (SCOPE_RANK[first.scope] > SCOPE_RANK[second.scope])
        throw new Error(
          `stage ${first.name} cannot run before ${second.name}: in phase ${d.phase} the ${second.scope} ` +
            `stages run before the ${first.scope} stages`,
        );
      later.get(first.name)?.add(second.name);
    }
  }
  const out: StageDef[] = [];
  for (const phase of PHASES) {
    const members = defs.filter((d) => d.phase === phase);
    if (members.length > 0) out.push(...orderPhase(phase, members, later));
  }
  return out;
}

function checkPhaseAndScope(d: StageDef): void {
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

/** Kahn's algorithm over one phase; among the stages free to run, edge ones and then the smallest name go first. */
function orderPhase(
  phase: Phase,
  members: readonly StageDef[],
  later: ReadonlyMap<string, ReadonlySet<string>>,
): StageDef[] {
  const pending = new Map<string, number>(members.map((d) => [d.name, 0]));
  for (const d of members) for (const n of later.get(d.name) ?? []) pending.set(n, (pending.get(n) ?? 0) + 1);
  const byName = new Map(members.map((d) => [d.name, d]));
  const ready = members.filter((d) => pending.get(d.name) === 0).map((d) => d.name);
  const out: StageDef[] = [];
  const rank = (name: string): number => SCOPE_RANK[byName.get(name)?.scope ?? 'route'];
  while (ready.length > 0) {
    // Edge stages first (they run first anyway), then by name.
    ready.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    const name = ready.shift() as string;
    const def = byName.get(name);
    if (def !== undefined) out.push(def);
    pending.delete(name);
    for (const n of later.get(name) ?? []) {
      const left = (pending.get(n) ?? 0) - 1;
      pending.set(n, left);
      if (left === 0) ready.push(n);
    }
  }
  if (pending.size > 0)
    throw new Error(`stage order in phase ${phase} has a cycle: ${cycleOf(pending, later)}`);
  return out;
}

/** One cycle among the stages Kahn's algorithm could not place, as `a → b → a`. */
function cycleOf(
  stuck: ReadonlyMap<string, number>,
  later: ReadonlyMap<string, ReadonlySet<string>>,
): string {
  // Every stuck stage has a stuck predecessor, so walking predecessors must revisit a stage.
  const before = (name: string): string | undefined => {
    for (const [n, next] of later) if (stuck.has(n) && next.has(name)) return n;
    return undefined;
  };
  const path: string[] = [];
  let at: string | undefined = stuck.keys().next().value;
  while (at !== undefined && !path.includes(at)) {
    path.push(at);
    at = before(at);
  }
  const loop = at === undefined ? path : path.slice(path.indexOf(at));
  return [...loop.reverse(), loop[0]].join(' → ');
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
