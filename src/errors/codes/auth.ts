import type { ErrorDef } from '../types.js';

/**
 * Authentication and identity. Messages say which rule failed, never which part of a credential
 * matched: an unknown key and a wrong key share GH_ERR_AUTH_INVALID.
 */
export const authErrors = {
  GH_ERR_AUTH_MISSING: { status: 401, type: 'authentication_error', message: 'Authentication is required.' },
  GH_ERR_AUTH_MALFORMED: {
    status: 401,
    type: 'authentication_error',
    message: 'The credential is malformed.',
  },
  GH_ERR_AUTH_INVALID: { status: 401, type: 'authentication_error', message: 'The credential is not valid.' },
  GH_ERR_AUTH_EXPIRED: { status: 401, type: 'authentication_error', message: 'The credential has expired.' },
  GH_ERR_AUTH_NOT_YET_VALID: {
    status: 401,
    type: 'authentication_error',
    message: 'The credential is not valid yet.',
  },
  GH_ERR_AUTH_WRONG_ISSUER: {
    status: 401,
    type: 'authentication_error',
    message: 'The token issuer is not trusted.',
  },
  GH_ERR_AUTH_WRONG_AUDIENCE: {
    status: 401,
    type: 'authentication_error',
    message: 'The token was not issued for this gateway.',
  },
  GH_ERR_AUTH_ALGORITHM: {
    status: 401,
    type: 'authentication_error',
    message: 'The token signing algorithm is not allowed.',
  },
  GH_ERR_AUTH_REVOKED: {
    status: 401,
    type: 'authentication_error',
    message: 'The credential has been revoked.',
  },
  GH_ERR_AUTH_UNKNOWN_CONSUMER: {
    status: 403,
    type: 'permission_error',
    message: 'The consumer is not registered.',
  },
  GH_ERR_AUTH_CONSUMER_DISABLED: {
    status: 403,
    type: 'permission_error',
    message: 'The consumer is disabled.',
  },
  GH_ERR_AUTH_CERT_NOT_PINNED: {
    status: 403,
    type: 'permission_error',
    message: 'The client certificate is not on the allowlist.',
  },
  GH_ERR_AUTH_FORBIDDEN_ALIAS: {
    status: 403,
    type: 'permission_error',
    message: 'This credential may not use this model.',
  },
  GH_ERR_AUTH_FORBIDDEN_SCOPE: {
    status: 403,
    type: 'permission_error',
    message: 'The request is outside the scope of this credential.',
  },
  GH_ERR_AUTH_METHOD_NOT_ALLOWED: {
    status: 403,
    type: 'permission_error',
    message: 'This authentication method is not accepted for this model.',
  },
  GH_ERR_AUTH_TIER_FORBIDDEN: {
    status: 403,
    type: 'permission_error',
    message: 'This consumer may not use this model tier.',
  },
  GH_ERR_AUTH_MTLS_REQUIRED: {
    status: 403,
    type: 'permission_error',
    message: 'A verified client certificate is required for this model.',
  },
  GH_ERR_AUTH_IP_BLOCKED: {
    status: 403,
    type: 'permission_error',
    message: 'Too many failed authentication attempts; try again later.',
  },
  GH_ERR_AUTH_JWKS_UNAVAILABLE: {
    status: 503,
    type: 'service_unavailable',
    message: 'Token verification keys are unavailable; try again later.',
  },
  GH_ERR_AUTH_UNAVAILABLE: {
    status: 503,
    type: 'service_unavailable',
    message: 'Credential status cannot be checked; try again later.',
  },
} as const satisfies Record<string, ErrorDef>;
