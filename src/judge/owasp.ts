import type { AggregateKind } from '../formats/judge-names.js';

/**
 * OWASP ids of the aggregate judges (the model rubrics carry theirs in rubrics.ts) and the names
 * and references stamped on finding events, as the telemetry table (docs/owasp.md) names them.
 */
export const AGGREGATE_OWASP: {
  readonly [K in AggregateKind]: { readonly llm: readonly string[]; readonly asi: readonly string[] };
} = {
  cost_anomaly: { llm: ['LLM10'], asi: [] },
  near_limit: { llm: ['LLM10'], asi: [] },
  tool_sequence: { llm: ['LLM06'], asi: ['ASI02', 'ASI10'] },
};

const NAMES: Readonly<Record<string, string>> = {
  LLM01: 'Prompt Injection',
  LLM02: 'Sensitive Information Disclosure',
  LLM05: 'Improper Output Handling',
  LLM06: 'Excessive Agency',
  LLM07: 'System Prompt Leakage',
  LLM09: 'Misinformation',
  LLM10: 'Unbounded Consumption',
  ASI01: 'Agent Goal Hijack',
  ASI02: 'Tool Misuse and Exploitation',
  ASI10: 'Rogue Agents',
};

export const owaspName = (id: string): string => NAMES[id] ?? id;
export const owaspRef = (id: string): string =>
  id.startsWith('LLM')
    ? 'https://genai.owasp.org/llm-top-10/'
    : 'https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/';
