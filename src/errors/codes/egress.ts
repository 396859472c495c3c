import type { ErrorDef } from '../types.js';

/** Egress proxy refusals (docs/egress.md): the tunnel or request is never opened. */
export const egressErrors = {
  GH_ERR_EGRESS_AUTH_REQUIRED: {
    status: 407,
    type: 'authentication_error',
    message: 'The egress proxy needs valid proxy credentials or a client certificate.',
  },
  GH_ERR_EGRESS_DENIED: {
    status: 403,
    type: 'permission_error',
    message: 'This destination is not on the egress allowlist for this identity.',
  },
  GH_ERR_EGRESS_RATE_LIMITED: {
    status: 429,
    type: 'rate_limit_error',
    message: 'This identity has used its egress connections or bytes for the minute.',
  },
  GH_ERR_EGRESS_UPSTREAM_FAILED: {
    status: 502,
    type: 'server_error',
    message: 'The egress proxy could not connect to the destination.',
  },
  GH_ERR_EGRESS_BAD_REQUEST: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Not a proxy request: use CONNECT host:port or an absolute http:// URL.',
  },
  GH_ERR_EGRESS_KILLED: {
    status: 503,
    type: 'service_unavailable',
    message: 'Outbound traffic is stopped by the kill switch.',
  },
} as const satisfies Record<string, ErrorDef>;
