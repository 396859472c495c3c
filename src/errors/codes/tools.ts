import type { ErrorDef } from '../types.js';

/**
 * The tool gateway (issue 19). Sent to MCP clients as JSON-RPC errors whose `data.code` is the
 * GH_ERR_* code; messages name the control that refused, never an argument value or tool output.
 */
export const toolsErrors = {
  GH_ERR_TOOL_UNKNOWN: {
    status: 404,
    type: 'invalid_request_error',
    message: 'The tool does not exist or you do not have access to it.',
  },
  GH_ERR_TOOL_ARGS_SCHEMA: {
    status: 400,
    type: 'invalid_request_error',
    message: "The tool arguments do not match the tool's input schema.",
  },
  GH_ERR_TOOL_ARGS_CONSTRAINT: {
    status: 400,
    type: 'invalid_request_error',
    message: 'A tool argument is outside the range, values, pattern or length the operator allows.',
  },
  GH_ERR_TOOL_ARGS_PATH: {
    status: 400,
    type: 'invalid_request_error',
    message: 'A path in the tool arguments is outside the roots the operator allows.',
  },
  GH_ERR_TOOL_ARGS_HOST: {
    status: 400,
    type: 'invalid_request_error',
    message: 'A URL in the tool arguments names a host the operator does not allow.',
  },
  GH_ERR_TOOL_OUTPUT_BLOCKED: {
    status: 502,
    type: 'server_error',
    message:
      'The tool result was withheld: it contains a credential or personal data this tool may not return.',
  },
  GH_ERR_TOOL_OUTPUT_INJECTION: {
    status: 502,
    type: 'server_error',
    message: 'The tool result was withheld: it carries instructions to the model.',
  },
  GH_ERR_TOOL_OUTPUT_TOO_LARGE: {
    status: 502,
    type: 'server_error',
    message: "The tool result exceeds the tool's size cap.",
  },
  GH_ERR_TOOL_APPROVAL_PENDING: {
    status: 403,
    type: 'permission_error',
    message: 'This call needs a human approval; it is parked until an approver acts (see error data).',
  },
  GH_ERR_TOOL_APPROVAL_DENIED: {
    status: 403,
    type: 'permission_error',
    message: 'An approver denied this tool call.',
  },
  GH_ERR_TOOL_APPROVAL_NOT_FOUND: {
    status: 404,
    type: 'invalid_request_error',
    message: 'No pending approval with this id (unknown, already decided, used or expired).',
  },
  GH_ERR_TOOL_IDEMPOTENCY_IN_FLIGHT: {
    status: 409,
    type: 'invalid_request_error',
    message: 'The same tool call is still running; retry later to get its result.',
  },
  GH_ERR_TOOL_IDEMPOTENCY_MISMATCH: {
    status: 422,
    type: 'invalid_request_error',
    message: 'This idempotency key was used with different arguments.',
  },
  GH_ERR_TOOL_DEFINITION_DRIFT: {
    status: 403,
    type: 'permission_error',
    message: 'The tool is blocked: its definition differs from the pinned one.',
  },
  GH_ERR_TOOL_UNSIGNED: {
    status: 403,
    type: 'permission_error',
    message: 'The tool is blocked: its server has no valid signed manifest.',
  },
  GH_ERR_TOOL_POISONED: {
    status: 403,
    type: 'permission_error',
    message: 'The tool is blocked: its description carries instructions to the model.',
  },
  GH_ERR_TOOL_TIMEOUT: {
    status: 504,
    type: 'server_error',
    message: 'The tool did not answer within its timeout; the call was cancelled.',
  },
  GH_ERR_TOOL_RATE: {
    status: 429,
    type: 'rate_limit_error',
    message: 'Too many calls of this tool; retry later.',
  },
  GH_ERR_TOOL_CONCURRENCY: {
    status: 429,
    type: 'rate_limit_error',
    message: 'Too many calls of this tool are in flight; retry later.',
  },
  GH_ERR_TOOL_UPSTREAM: {
    status: 502,
    type: 'server_error',
    message: 'The tool server failed to answer.',
  },
  GH_ERR_TOOL_UNAVAILABLE: {
    status: 503,
    type: 'service_unavailable',
    message: 'The tool server is not available.',
  },
} as const satisfies Record<string, ErrorDef>;
