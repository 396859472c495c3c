/**
 * Names the Judge's config section and the Judge itself agree on: the model rubric kinds, the
 * verdicts and the reviewers' decisions. A leaf, so the declared config schema
 * (src/config/schema/judge.ts) takes them from here instead of importing the judge feature.
 */
export const RUBRIC_KINDS = [
  'policy_violation',
  'injection_succeeded',
  'sensitive_disclosure',
  'system_prompt_leak',
  'groundedness',
  'harmful_tool_use',
] as const;
export type RubricKind = (typeof RUBRIC_KINDS)[number];

/** The aggregate judges, which need no model (src/judge/aggregate/). */
export const AGGREGATE_KINDS = ['cost_anomaly', 'near_limit', 'tool_sequence'] as const;
export type AggregateKind = (typeof AGGREGATE_KINDS)[number];

export const JUDGE_VERDICTS = ['pass', 'fail', 'escalate'] as const;
export type JudgeVerdict = (typeof JUDGE_VERDICTS)[number];

export const REVIEW_DECISIONS = ['confirm', 'dismiss', 'escalate'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];
