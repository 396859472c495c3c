import type { ErrorDef } from '../types.js';

/** Input guardrails (issue 5). Messages name the rule family, never the matched text. */
export const guardErrors = {
  GH_ERR_GUARD_INJECTION: {
    status: 400,
    type: 'invalid_request_error',
    message:
      'The request was refused by the input guardrail: it looks like a prompt injection or jailbreak attempt.',
  },
  GH_ERR_GUARD_INDIRECT_INJECTION: {
    status: 400,
    type: 'invalid_request_error',
    message:
      'The request was refused by the input guardrail: tool output or document content carries instructions to the model.',
  },
  GH_ERR_GUARD_POLICY: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The request was refused by the content policy of this model.',
  },
  GH_ERR_GUARD_PII: {
    status: 400,
    type: 'invalid_request_error',
    message:
      'The request was refused by the input guardrail: it contains personal data that this model may not receive.',
  },
  GH_ERR_GUARD_SECRET: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The request was refused by the input guardrail: it contains a credential or secret.',
  },
  GH_ERR_GUARD_ROLE: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The request contains a message role that this model does not accept from consumers.',
  },
  GH_ERR_GUARD_TOO_MANY_MESSAGES: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The request has more messages than this model accepts.',
  },
  GH_ERR_GUARD_UNAVAILABLE: {
    status: 503,
    type: 'service_unavailable',
    message: 'The input guardrail is unavailable; the request was not processed.',
  },
  // Output guardrails (issue 6). 422: the request was fine, the answer is withheld; SDKs do not retry it.
  GH_ERR_OUTPUT_BLOCKED: {
    status: 422,
    type: 'invalid_request_error',
    message:
      'The answer was withheld by the output guardrail: it contained personal data, a credential or instructions aimed at an agent.',
  },
  GH_ERR_OUTPUT_LEAK: {
    status: 422,
    type: 'invalid_request_error',
    message: 'The answer was withheld by the output guardrail: it disclosed confidential instructions.',
  },
  GH_ERR_OUTPUT_SCHEMA: {
    status: 422,
    type: 'invalid_request_error',
    message: 'The answer did not match the requested response_format.',
  },
  GH_ERR_TOOL_NOT_OFFERED: {
    status: 422,
    type: 'invalid_request_error',
    message: 'The model called a function that the request did not offer; the call was withheld.',
  },
  GH_ERR_OUTPUT_HOLD_LIMIT: {
    status: 422,
    type: 'invalid_request_error',
    message: 'The answer could not be checked within the output guardrail limits and was withheld.',
  },
  GH_ERR_RESPONSE_FORMAT_INVALID: {
    status: 400,
    type: 'invalid_request_error',
    message: 'response_format carries a JSON schema that cannot be used (invalid or too large).',
  },
} as const satisfies Record<string, ErrorDef>;
