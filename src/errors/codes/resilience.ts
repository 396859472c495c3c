import type { ErrorDef } from '../types.js';

/** PACE resilience (docs/resilience.md): the kill switch, open breakers, degraded modes, the contingency queue. */
export const resilienceErrors = {
  GH_ERR_MAINTENANCE: {
    status: 503,
    type: 'service_unavailable',
    message: 'The service is under maintenance; retry later.',
  },
  GH_ERR_UPSTREAM_CIRCUIT_OPEN: {
    status: 503,
    type: 'service_unavailable',
    message: 'The model endpoint is temporarily unavailable; retry later.',
  },
  GH_ERR_DEGRADED_REFUSED: {
    status: 503,
    type: 'service_unavailable',
    message: 'This request cannot be served while safeguards are degraded; retry later.',
  },
  GH_ERR_QUEUE_FULL: {
    status: 503,
    type: 'service_unavailable',
    message: 'The request could not be queued; retry later.',
  },
  GH_ERR_JOB_NOT_FOUND: {
    status: 404,
    type: 'invalid_request_error',
    message: 'No such job.',
  },
  GH_ERR_CALLBACK_NOT_ALLOWED: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The callback URL is not on the allowlist.',
  },
  GH_ERR_RESILIENCE_REQUEST: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Invalid resilience operator request.',
  },
} as const satisfies Record<string, ErrorDef>;
