import type { ErrorDef } from '../types.js';

/** Failures talking to the model endpoint. Each timeout has its own code so the SOC can tell them apart. */
export const upstreamErrors = {
  GH_ERR_UPSTREAM_CONNECT_TIMEOUT: {
    status: 504,
    type: 'server_error',
    message: 'The model endpoint could not be reached in time.',
  },
  GH_ERR_UPSTREAM_FIRST_BYTE_TIMEOUT: {
    status: 504,
    type: 'server_error',
    message: 'The model endpoint did not start answering in time.',
  },
  GH_ERR_UPSTREAM_IDLE_TIMEOUT: {
    status: 504,
    type: 'server_error',
    message: 'The model endpoint stopped sending data.',
  },
  GH_ERR_UPSTREAM_TOTAL_TIMEOUT: {
    status: 504,
    type: 'server_error',
    message: 'The model endpoint took too long to answer.',
  },
  GH_ERR_UPSTREAM_UNAVAILABLE: {
    status: 502,
    type: 'server_error',
    message: 'The model endpoint is unavailable.',
  },
  GH_ERR_UPSTREAM_MODEL_UNVERIFIED: {
    status: 503,
    type: 'server_error',
    message: 'The model endpoint has not been verified to serve the pinned model.',
  },
  GH_ERR_UPSTREAM_TLS: {
    status: 502,
    type: 'server_error',
    message: 'The model endpoint could not be verified.',
  },
  GH_ERR_UPSTREAM_BAD_RESPONSE: {
    status: 502,
    type: 'server_error',
    message: 'The model endpoint returned an invalid response.',
  },
  GH_ERR_UPSTREAM_RESET: {
    status: 502,
    type: 'server_error',
    message: 'The model endpoint closed the connection.',
  },
  GH_ERR_UPSTREAM_READ_FAILED: {
    status: 502,
    type: 'server_error',
    message: 'Reading the answer from the model endpoint failed.',
  },
  GH_ERR_UPSTREAM_REJECTED: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The model endpoint rejected the request.',
  },
  GH_ERR_UPSTREAM_RATE_LIMITED: {
    status: 429,
    type: 'rate_limit_error',
    message: 'The model endpoint is rate limiting; retry later.',
  },
  GH_ERR_UPSTREAM_ERROR: {
    status: 502,
    type: 'server_error',
    message: 'The model endpoint returned an error.',
  },
  GH_ERR_UPSTREAM_RESPONSE_TOO_LARGE: {
    status: 502,
    type: 'server_error',
    message: 'The model endpoint response is too large.',
  },
} as const satisfies Record<string, ErrorDef>;
