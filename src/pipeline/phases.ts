/**
 * The one ordered list of pipeline phases (fastify's lib/hooks.js idea). Stages register against
 * these names only. `validate` precedes `admit` because admission reserves the counted input
 * tokens and the clamped output budget, which validation computes.
 *
 * Request phases run in order until one throws; the response is then delivered. Completion
 * phases (`settle`, `record`) always run once the request ends, on success, error or abort.
 */
export const PHASES = [
  'correlate',
  'authenticate',
  'validate',
  'admit',
  'inspectInput',
  'route',
  'callUpstream',
  'inspectOutput',
  'settle',
  'record',
] as const;

export type Phase = (typeof PHASES)[number];

export const COMPLETION_PHASES = ['settle', 'record'] as const satisfies readonly Phase[];
export type CompletionPhase = (typeof COMPLETION_PHASES)[number];
export type RequestPhase = Exclude<Phase, CompletionPhase>;

export function isPhase(name: string): name is Phase {
  return (PHASES as readonly string[]).includes(name);
}
