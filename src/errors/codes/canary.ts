import type { ErrorDef } from '../types.js';

/** Canary deployments (docs/canary.md): operator actions through the admin listener. */
export const canaryErrors = {
  GH_ERR_CANARY_UNKNOWN: {
    status: 404,
    type: 'invalid_request_error',
    message: 'No canary is configured for this route.',
  },
  GH_ERR_CANARY_NOT_RUNNING: {
    status: 409,
    type: 'invalid_request_error',
    message: 'The canary is not in a state that allows this action.',
  },
  GH_ERR_CANARY_GATES_NOT_MET: {
    status: 409,
    type: 'invalid_request_error',
    message: 'Promotion refused: not every canary gate passes yet (see the comparison report).',
  },
  GH_ERR_CANARY_WEIGHT: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The canary weight must be above 0 and at most canary.maxWeight.',
  },
  GH_ERR_CANARY_STANDBY_EXPIRED: {
    status: 409,
    type: 'invalid_request_error',
    message: 'The previous deployment is no longer the hot standby; roll back by configuration.',
  },
} as const satisfies Record<string, ErrorDef>;
