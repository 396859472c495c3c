import type { ErrorDef } from '../types.js';

/** Limits and budgets: one code per dimension, so a client (and the SOC) can tell which limit it hit. */
export const limitsErrors = {
  GH_ERR_RATE_REQUESTS: {
    status: 429,
    type: 'rate_limit_error',
    message: 'Rate limit reached for requests.',
  },
  GH_ERR_RATE_INPUT_TOKENS: {
    status: 429,
    type: 'rate_limit_error',
    message: 'Rate limit reached for input tokens.',
  },
  GH_ERR_RATE_OUTPUT_TOKENS: {
    status: 429,
    type: 'rate_limit_error',
    message: 'Rate limit reached for output tokens.',
  },
  GH_ERR_COST_CAP: { status: 429, type: 'rate_limit_error', message: 'Hourly cost cap reached.' },
  GH_ERR_CONCURRENCY: {
    status: 429,
    type: 'rate_limit_error',
    message: 'Too many concurrent requests for this consumer.',
  },
  GH_ERR_GLOBAL_CONCURRENCY: {
    status: 429,
    type: 'rate_limit_error',
    message: 'Too many concurrent requests for this model.',
  },
  GH_ERR_LIMITS_UNAVAILABLE: {
    status: 503,
    type: 'service_unavailable',
    message: 'Rate limiting is temporarily unavailable; the request was refused.',
  },
} as const satisfies Record<string, ErrorDef>;
