import type { Stage } from '../pipeline/context.js';
import type { StageDef } from '../pipeline/registry.js';
import { JUDGE } from './slots.js';

/**
 * The hand-off to the Judge, in the record phase (after the answer was delivered, like the audit
 * event): sampling and the aggregate judges run here, the enqueue runs in the background. Nothing
 * of the Judge (a slow endpoint, an open breaker, a full queue) is awaited by a request.
 */
export const judgeHandoffStage: StageDef = {
  name: 'judge.handoff',
  phase: 'record',
  scope: 'completion',
  after: ['record'],
  create(rt): Stage | null {
    const svc = JUDGE.get(rt);
    if (svc === undefined) return null;
    if (svc.handOffProblem !== null) throw new Error(svc.handOffProblem);
    return (ctx) => {
      svc.handOff(ctx);
    };
  },
};
