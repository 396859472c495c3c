import type { Stage } from './context.js';
import type { Phase } from './phases.js';
import type { Runtime, RuntimeRoute } from './runtime.js';

/**
 * What every stage declares besides its factory. Order across phases is the phase list; order
 * within a phase is only what `before`/`after` say (stage names of the same phase), checked and
 * resolved at boot by `checkStageDefs` (src/pipeline/build.ts). Stages no constraint orders run in
 * name order, so the order never depends on where a line sits in `src/boot/stages.ts`.
 */
interface StageHead {
  readonly name: string;
  readonly phase: Phase;
  /** Stages of the same phase this one must run before. */
  readonly before?: readonly string[];
  /** Stages of the same phase this one must run after. */
  readonly after?: readonly string[];
}

/**
 * A stage factory: does its compiling once (regexes, keys, validators) and returns the per-request
 * function, or null when the stage has nothing to do for this route (fastify stores null for empty
 * hook arrays so the runner does no lookups).
 *
 * `edge` stages run before the route is known (correlate, authenticate, body parsing and alias
 * resolution) and are built once. `route` stages are built once per route. `completion` stages
 * (settle, record) run after every request, whatever happened.
 */
export type StageDef =
  | (StageHead & {
      readonly scope: 'edge';
      readonly create: (rt: Runtime) => Stage | null;
    })
  | (StageHead & {
      readonly scope: 'route';
      readonly create: (rt: Runtime, route: RuntimeRoute) => Stage | null;
    })
  | (StageHead & {
      readonly scope: 'completion';
      readonly create: (rt: Runtime) => Stage | null;
    });
