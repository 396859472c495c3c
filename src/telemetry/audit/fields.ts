import type { Endpoint } from '../../formats/provider.js';

/** Value rules shared by the event builder and the request-line writer (they must agree). */

/** OpenTelemetry `gen_ai.operation.name` for each data-plane endpoint. */
export const OPERATION: Readonly<Record<Endpoint, string>> = {
  chat: 'chat',
  completions: 'text_completion',
  embeddings: 'embeddings',
  models: 'list_models',
  sessions: 'create_session',
  tools: 'execute_tool',
};

export const UA_MAX = 512;

/** Empty becomes null; long values are cut (client-controlled strings must not bloat events). */
export function clip(s: string | null | undefined, max: number): string | null {
  if (s === null || s === undefined || s === '') return null;
  return s.length > max ? s.slice(0, max) : s;
}

export const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;
