import type { ErrorDef } from '../types.js';

/** Failures specific to a managed provider (src/upstream/providers/): its credentials, its own filters. */
export const providerErrors = {
  GH_ERR_PROVIDER_AUTH_FAILED: {
    status: 502,
    type: 'server_error',
    message: 'The gateway could not obtain credentials for the model endpoint.',
  },
  GH_ERR_PROVIDER_CONTENT_FILTER: {
    status: 400,
    type: 'invalid_request_error',
    message: "The request was blocked by the model provider's content filter.",
  },
  GH_ERR_PROVIDER_UNSUPPORTED: {
    status: 400,
    type: 'invalid_request_error',
    message: 'This model endpoint does not support part of the request.',
  },
} as const satisfies Record<string, ErrorDef>;
