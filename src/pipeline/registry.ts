import type { Runtime, RuntimeRoute } from '../config/runtime.js';
import type { Stage } from './context.js';
import type { Phase } from './phases.js';

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
  | {
      readonly name: string;
      readonly phase: Phase;
      readonly scope: 'edge';
      readonly create: (rt: Runtime) => Stage | null;
    }
  | {
      readonly name: string;
      readonly phase: Phase;
      readonly scope: 'route';
      readonly create: (rt: Runtime, route: RuntimeRoute) => Stage | null;
    }
  | {
      readonly name: string;
      readonly phase: Phase;
      readonly scope: 'completion';
      readonly create: (rt: Runtime) => Stage | null;
    };
