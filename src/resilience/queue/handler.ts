import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { HandlerDef } from '../../pipeline/feature.js';
import { RESILIENCE } from '../slots.js';

/**
 * `GET /v1/gatehouse/jobs/{id}`: a queued request's state and, once finished, its answer (or coded
 * error). Only the consumer that submitted it sees it; anyone else gets the same 404 as for an
 * unknown id. Runs after authentication like every data-plane endpoint.
 */
export const jobsHandler: HandlerDef = {
  method: 'GET',
  path: '/v1/gatehouse/jobs/',
  param: true,
  // A GET without a body: the edge stages treat it like the model list (no body is read).
  endpoint: 'models',
  create: (rt) => {
    return async (ctx, id) => {
      const jobs = RESILIENCE.get(rt)?.jobs ?? null;
      const consumer = ctx.identity?.consumer;
      if (jobs === null || id === null || consumer === undefined || !/^job_[0-9a-f-]{36}$/.test(id))
        throw new GatehouseError('GH_ERR_JOB_NOT_FOUND');
      const view = await jobs.view(id, consumer).catch(() => null);
      if (view === null) throw new GatehouseError('GH_ERR_JOB_NOT_FOUND');
      return view;
    };
  },
};
