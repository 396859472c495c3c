import type { ErrorDef } from '../types.js';

/** Request shape, size, routing and listener errors. */
export const edgeErrors = {
  GH_ERR_INVALID_JSON: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Request body is not valid JSON.',
  },
  GH_ERR_INVALID_UTF8: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Request body is not valid UTF-8.',
  },
  GH_ERR_SCHEMA: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Request body does not match the schema.',
  },
  GH_ERR_FORBIDDEN_KEY: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Request body contains a forbidden key (__proto__, constructor or prototype).',
  },
  GH_ERR_TOO_DEEP: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Request body is nested too deeply.',
  },
  GH_ERR_BODY_TOO_LARGE: {
    status: 413,
    type: 'invalid_request_error',
    message: 'Request body is too large.',
  },
  GH_ERR_BODY_TIMEOUT: {
    status: 408,
    type: 'invalid_request_error',
    message: 'Request body was not received in time.',
  },
  GH_ERR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    type: 'invalid_request_error',
    message: 'Content-Type must be application/json.',
  },
  GH_ERR_INPUT_TOKENS: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The prompt exceeds the maximum number of input tokens for this model.',
  },
  GH_ERR_N_TOO_LARGE: {
    status: 400,
    type: 'invalid_request_error',
    message: 'n exceeds the maximum allowed.',
  },
  GH_ERR_UNKNOWN_MODEL: {
    status: 404,
    type: 'invalid_request_error',
    message: 'The model does not exist or you do not have access to it.',
  },
  GH_ERR_ENDPOINT_NOT_SUPPORTED: {
    status: 400,
    type: 'invalid_request_error',
    message: 'This model does not support this endpoint.',
  },
  GH_ERR_NOT_FOUND: { status: 404, type: 'invalid_request_error', message: 'Unknown path.' },
  GH_ERR_METHOD_NOT_ALLOWED: { status: 405, type: 'invalid_request_error', message: 'Method not allowed.' },
  GH_ERR_CLIENT_CLOSED: {
    status: 499,
    type: 'invalid_request_error',
    message: 'The client closed the connection.',
  },
  GH_ERR_HEADERS_TOO_LARGE: {
    status: 431,
    type: 'invalid_request_error',
    message: 'Request headers are too large.',
  },
  GH_ERR_HEADERS_TIMEOUT: {
    status: 408,
    type: 'invalid_request_error',
    message: 'Request headers were not received in time.',
  },
  GH_ERR_MALFORMED_HTTP: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Malformed HTTP request.',
  },
  GH_ERR_INTERNAL: { status: 500, type: 'server_error', message: 'Internal gateway error.' },
  GH_ERR_UNKNOWN_FIELD: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Request body has a field this model does not accept.',
  },
} as const satisfies Record<string, ErrorDef>;
