import type { ErrorDef } from '../types.js';

/**
 * The control plane (admin listener, issue 15). Same shape as the data plane's errors; a denied
 * call is also one operator audit event.
 */
export const adminErrors = {
  GH_ERR_ADMIN_AUTH_MISSING: {
    status: 401,
    type: 'authentication_error',
    message: 'Operator authentication is required.',
  },
  GH_ERR_ADMIN_AUTH_INVALID: {
    status: 401,
    type: 'authentication_error',
    message: 'The operator credential is not valid here.',
  },
  GH_ERR_ADMIN_FORBIDDEN: {
    status: 403,
    type: 'permission_error',
    message: 'The operator role does not allow this action.',
  },
  GH_ERR_ADMIN_CSRF: {
    status: 403,
    type: 'permission_error',
    message: 'The CSRF token is missing or wrong.',
  },
  GH_ERR_ADMIN_REASON_REQUIRED: {
    status: 400,
    type: 'invalid_request_error',
    message: 'A reason is required for every change (x-gatehouse-reason header or "reason" field).',
  },
  GH_ERR_ADMIN_INVALID: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The request does not match the action schema.',
  },
  GH_ERR_ADMIN_NOT_FOUND: { status: 404, type: 'invalid_request_error', message: 'No such admin resource.' },
  GH_ERR_ADMIN_LINT: {
    status: 422,
    type: 'invalid_request_error',
    message: 'The change would make the configuration fail lint.',
  },
  GH_ERR_ADMIN_CONFLICT: {
    status: 409,
    type: 'invalid_request_error',
    message: 'The state changed meanwhile; read it again and retry.',
  },
  GH_ERR_ADMIN_SELF_APPROVAL: {
    status: 403,
    type: 'permission_error',
    message: 'A proposal must be approved by a different operator.',
  },
  GH_ERR_ADMIN_PROPOSAL_EXPIRED: {
    status: 410,
    type: 'invalid_request_error',
    message: 'The proposal has expired.',
  },
  GH_ERR_ADMIN_PROPOSAL_CLOSED: {
    status: 409,
    type: 'invalid_request_error',
    message: 'The proposal was already applied or rejected.',
  },
  GH_ERR_ADMIN_LOGIN_THROTTLED: {
    status: 429,
    type: 'rate_limit_error',
    message: 'Too many failed operator logins from this address or for this operator; retry later.',
  },
  GH_ERR_ADMIN_UNAVAILABLE: {
    status: 503,
    type: 'service_unavailable',
    message: 'The control plane store is unavailable; nothing was changed.',
  },
} as const satisfies Record<string, ErrorDef>;
