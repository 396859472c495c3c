import type { ErrorDef } from '../types.js';

/** The Judge's review queue (admin API, docs/judge.md). The data plane never sees these. */
export const judgeErrors = {
  GH_ERR_JUDGE_FINDING_NOT_FOUND: {
    status: 404,
    type: 'invalid_request_error',
    message: 'No finding with this id in the review queue.',
  },
  GH_ERR_JUDGE_FINDING_CLAIMED: {
    status: 409,
    type: 'invalid_request_error',
    message: 'Another reviewer holds a claim on this finding.',
  },
  GH_ERR_JUDGE_FINDING_DECIDED: {
    status: 409,
    type: 'invalid_request_error',
    message: 'This finding is already decided.',
  },
  GH_ERR_JUDGE_NOT_CLAIMED: {
    status: 409,
    type: 'invalid_request_error',
    message: 'Claim the finding before deciding it.',
  },
  GH_ERR_JUDGE_CONFLICT: {
    status: 409,
    type: 'invalid_request_error',
    message: 'The finding changed meanwhile; read it again and retry.',
  },
  GH_ERR_JUDGE_NOTES_FULL: {
    status: 409,
    type: 'invalid_request_error',
    message: 'This finding has the maximum number of notes.',
  },
  GH_ERR_JUDGE_BAD_REVIEW: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The review request is not valid.',
  },
} satisfies Record<string, ErrorDef>;
