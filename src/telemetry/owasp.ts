/**
 * The OWASP mapping, as data: every control, detector, limit dimension and alert signal of Gatehouse
 * → OWASP Top 10 for LLM Applications 2025 ids and OWASP Top 10 for Agentic Applications (ASI) ids.
 * The guide's table ("OWASP Mapping") is the base, row for row (`area`); Gatehouse's own controls
 * extend it. This one table is stamped on audit events (./audit/build.ts), labels the verdict and
 * limit metrics (./metrics.ts) and is rendered into docs/owasp.md (scripts/render-soc-docs.ts; a
 * test compares). A control that does not exist yet is `planned`, never `present`.
 */
export const OWASP_LLM = {
  LLM01: 'Prompt Injection',
  LLM02: 'Sensitive Information Disclosure',
  LLM03: 'Supply Chain',
  LLM04: 'Data and Model Poisoning',
  LLM05: 'Improper Output Handling',
  LLM06: 'Excessive Agency',
  LLM07: 'System Prompt Leakage',
  LLM08: 'Vector and Embedding Weaknesses',
  LLM09: 'Misinformation',
  LLM10: 'Unbounded Consumption',
} as const;

/** Names as the guide writes them where it names them (ASI04, ASI08), else the published list's. */
export const OWASP_ASI = {
  ASI01: 'Agent Goal Hijack',
  ASI02: 'Tool Misuse and Exploitation',
  ASI03: 'Identity and Privilege Abuse',
  ASI04: 'Agentic Supply Chain Compromise',
  ASI05: 'Unexpected Code Execution',
  ASI06: 'Memory and Context Poisoning',
  ASI07: 'Insecure Inter-Agent Communication',
  ASI08: 'Cascading Agent Failures',
  ASI09: 'Human-Agent Trust Exploitation',
  ASI10: 'Rogue Agents',
} as const;

export type LlmId = keyof typeof OWASP_LLM;
export type AsiId = keyof typeof OWASP_ASI;

export const LLM_FRAMEWORK = 'OWASP LLM Top 10';
export const ASI_FRAMEWORK = 'OWASP Agentic Top 10';

const LLM_SLUG: Readonly<Record<LlmId, string>> = {
  LLM01: 'llm01-prompt-injection',
  LLM02: 'llm022025-sensitive-information-disclosure',
  LLM03: 'llm032025-supply-chain',
  LLM04: 'llm042025-data-and-model-poisoning',
  LLM05: 'llm052025-improper-output-handling',
  LLM06: 'llm062025-excessive-agency',
  LLM07: 'llm072025-system-prompt-leakage',
  LLM08: 'llm082025-vector-and-embedding-weaknesses',
  LLM09: 'llm092025-misinformation',
  LLM10: 'llm102025-unbounded-consumption',
};

export function owaspReference(id: LlmId | AsiId): string {
  return id.startsWith('LLM')
    ? `https://genai.owasp.org/llmrisk/${LLM_SLUG[id as LlmId]}/`
    : 'https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/';
}

export type ControlKind = 'control' | 'detector' | 'limit' | 'alert' | 'auth' | 'tool';

export interface OwaspRow {
  /** Lookup key: `verdict:<phase>:<detector>`, `limit:<dimension>`, `alert:<signal>`, `auth:<what>`, `control:<name>`, `tool:<what>`. */
  readonly key: string;
  readonly kind: ControlKind;
  /** The guide's hardening area this belongs to. */
  readonly area: string;
  readonly llm: readonly LlmId[];
  readonly asi: readonly AsiId[];
  readonly status: 'present' | 'planned';
  /** What it is, in Gatehouse, in one line. */
  readonly what: string;
}

const row = (
  key: string,
  kind: ControlKind,
  area: string,
  llm: readonly LlmId[],
  asi: readonly AsiId[],
  what: string,
  status: OwaspRow['status'] = 'present',
): OwaspRow => ({ key, kind, area, llm, asi, status, what });

const RATE = 'Gateway rate limiting';
const TOKENS = 'Token limiting';
const INPUT = 'Input validation';
const OUTPUT = 'Output scanning';
const TOOLS = 'Tool server hardening';
const PINNING = 'Model version pinning';
const PRIVATE = 'Private endpoints';
const KILL = 'Kill switch';
const GATEWAY = 'Gateway';
const MONITOR = 'Monitoring and alerting';

/** The table. Order is the order of docs/owasp.md. */
// biome-ignore format: one row per line reads as the table it is
export const OWASP_TABLE: readonly OwaspRow[] = [
  // The guide's rows, as controls.
  row('control:rate-limits', 'control', RATE, ['LLM10'], [], 'token-aware limiter: requests, tokens, cost, concurrency per consumer and route (docs/limits.md)'),
  row('control:input-validation', 'control', INPUT, ['LLM01'], ['ASI01'], 'strict JSON, endpoint field map, injection and content-policy detectors on every model-visible field (docs/guardrails.md)'),
  row('control:output-scanning', 'control', OUTPUT, ['LLM02'], ['ASI02'], 'PII, secrets, prompt-leak, format and tool-call checks on answers, streamed or not (docs/output-guardrails.md)'),
  row('control:token-limits', 'control', TOKENS, ['LLM10'], [], 'input-token cap over every counted field, max-output clamp, output budget on streams'),
  row('control:model-pinning', 'control', PINNING, ['LLM04'], ['ASI04'], 'alias → pinned model id per route, never the consumer’s choice; lint refuses floating ids'),
  row('control:tool-gateway', 'tool', TOOLS, ['LLM07'], ['ASI02'], 'MCP and plain HTTP tool gateway: per-identity allowlists, argument schemas, signed manifests and pins, approvals, per-tool limits (docs/tools.md)'),
  row('control:private-endpoints', 'control', PRIVATE, ['LLM06'], ['ASI05'], 'upstreams reached only through the gateway, with verified TLS; consumers never see the upstream address or key'),
  row('control:egress-proxy', 'control', TOOLS, ['LLM06'], ['ASI02', 'ASI05'], 'egress proxy: per-identity host/port/path allowlist, SSRF and DNS-rebinding checks on every resolved address (docs/egress.md)'),
  row('control:code-sandbox', 'control', TOOLS, ['LLM05'], ['ASI05'], 'code-execution sandbox: bubblewrap namespaces without network, tmpfs work dir, rlimits and a wall clock (docs/sandbox.md)'),
  row('control:kill-switch', 'control', KILL, [], ['ASI08'], 'infrastructure-level kill switch (CLI, admin, file flag; every replica) and PACE modes with hysteresis (docs/resilience.md)'),
  row('control:canary-rollout', 'control', 'Deployment', ['LLM04'], ['ASI04'], 'canary split of a model version, guard policy or system prompt, gated comparison and automatic rollback (docs/canary.md)'),
  // Guardrail verdicts (the `verdict` on audit events and the verdict metric).
  row('verdict:input:injection', 'detector', INPUT, ['LLM01'], ['ASI01'], 'input injection detector (signatures, classifier)'),
  row('verdict:input:policy', 'detector', INPUT, ['LLM01'], ['ASI01'], 'input content policy (topics, patterns)'),
  row('verdict:input:pii', 'detector', INPUT, ['LLM02'], [], 'PII in a prompt, before it reaches the model'),
  row('verdict:input:secrets', 'detector', INPUT, ['LLM02'], [], 'credentials in a prompt, before they reach the model'),
  row('verdict:input:*', 'detector', INPUT, ['LLM01'], ['ASI01'], 'any other input verdict'),
  row('verdict:output:pii', 'detector', OUTPUT, ['LLM02'], ['ASI02'], 'PII in an answer'),
  row('verdict:output:secrets', 'detector', OUTPUT, ['LLM02'], ['ASI02'], 'credentials in an answer'),
  row('verdict:output:canary', 'detector', OUTPUT, ['LLM07'], [], 'the per-request canary of the system prompt in an answer'),
  row('verdict:output:similarity', 'detector', OUTPUT, ['LLM07'], [], 'system-prompt passages in an answer'),
  row('verdict:output:injection', 'detector', OUTPUT, ['LLM01', 'LLM05'], ['ASI01'], 'instructions aimed at an agent in an answer that goes back into one'),
  row('verdict:output:format', 'detector', OUTPUT, ['LLM05'], [], 'an answer that breaks the requested response_format'),
  row('verdict:output:tools', 'detector', OUTPUT, ['LLM06'], ['ASI02'], 'a call to a function the request did not offer; tool-call arguments scanned as text'),
  row('verdict:output:*', 'detector', OUTPUT, ['LLM02'], ['ASI02'], 'any other output verdict (hold-back limit, placeholders)'),
  // Limit dimensions (limit hits and budget thresholds).
  row('limit:requests', 'limit', RATE, ['LLM10'], [], 'requests per minute and sustained'),
  row('limit:input_tokens', 'limit', TOKENS, ['LLM10'], [], 'input tokens per minute and sustained'),
  row('limit:output_tokens', 'limit', TOKENS, ['LLM10'], [], 'output tokens per minute and sustained'),
  row('limit:cost', 'limit', RATE, ['LLM10'], [], 'cost cap per hour'),
  row('limit:cost_soft_cap', 'limit', RATE, ['LLM10'], [], 'cost soft cap per hour (alert, the request passes)'),
  row('limit:concurrency', 'limit', RATE, ['LLM10'], [], 'concurrent requests per consumer'),
  row('limit:global_concurrency', 'limit', RATE, ['LLM10'], [], 'concurrent requests on a route'),
  row('limit:store_unavailable', 'limit', RATE, ['LLM10'], [], 'limits store unreachable: the tier posture refused the request'),
  row('limit:*', 'limit', RATE, ['LLM10'], [], 'any other limiter refusal'),
  // Authentication.
  row('auth:failure', 'auth', GATEWAY, [], ['ASI03'], 'failed authentication (API key, OIDC, mTLS, session token)'),
  row('auth:unknown_consumer', 'auth', GATEWAY, [], ['ASI03'], 'a credential that maps to no configured consumer'),
  // Alert signals.
  row('alert:error_rate', 'alert', MONITOR, ['LLM10'], ['ASI08'], '5xx error rate'),
  row('alert:latency_p99', 'alert', MONITOR, ['LLM10'], ['ASI08'], 'p99 latency above baseline'),
  row('alert:gpu_memory', 'alert', MONITOR, ['LLM10'], [], 'GPU memory utilisation'),
  row('alert:token_throughput', 'alert', MONITOR, ['LLM10'], ['ASI08'], 'token throughput drop below baseline'),
  row('alert:guardrail_block_rate', 'alert', MONITOR, ['LLM01', 'LLM02'], ['ASI01'], 'guardrail block-rate spike'),
  row('alert:auth_failures', 'alert', MONITOR, [], ['ASI03'], 'authentication failures from one source IP'),
  row('alert:unknown_consumer', 'alert', MONITOR, [], ['ASI03'], 'requests from an unknown consumer'),
  row('alert:quota', 'alert', MONITOR, ['LLM10'], [], 'a consumer near its quota'),
  row('alert:audit_spool', 'alert', MONITOR, [], [], 'audit evidence being dropped (no LLM or agentic risk: OWASP Top 10 A09, logging failures)'),
  row('alert:pace_state', 'alert', MONITOR, ['LLM10'], ['ASI08'], 'a route degraded to PACE Alternate or Contingency'),
  row('alert:kill_switch', 'alert', MONITOR, [], ['ASI08'], 'an operator kill switch engaged'),
  row('alert:egress_denials', 'alert', MONITOR, ['LLM06'], ['ASI02', 'ASI05'], 'a burst of denied egress attempts from one identity'),
];

const BY_KEY = new Map(OWASP_TABLE.map((r) => [r.key, r]));

function get(key: string, fallback: string): OwaspRow {
  const r = BY_KEY.get(key) ?? BY_KEY.get(fallback);
  if (r === undefined) throw new Error(`OWASP table has no row ${fallback}`);
  return r;
}

export const owaspForVerdict = (phase: 'input' | 'output', detector: string): OwaspRow =>
  get(`verdict:${phase}:${detector}`, `verdict:${phase}:*`);
export const owaspForLimit = (dimension: string): OwaspRow => get(`limit:${dimension}`, 'limit:*');
export const owaspForAlert = (signal: string): OwaspRow | null => BY_KEY.get(`alert:${signal}`) ?? null;
export const owaspForControl = (name: string): OwaspRow =>
  get(`control:${name}`, 'control:private-endpoints');
export const owaspForAuth = (what: 'failure' | 'unknown_consumer'): OwaspRow =>
  get(`auth:${what}`, 'auth:failure');

/** Metric label values: the ids of one framework joined by `,`, or `none` (a finite set: the table's). */
export const owaspLabel = (ids: readonly string[]): string => (ids.length === 0 ? 'none' : ids.join(','));

const LABELS = new Map<OwaspRow, { owasp_llm: string; owasp_asi: string }>(
  OWASP_TABLE.map((r) => [r, { owasp_llm: owaspLabel(r.llm), owasp_asi: owaspLabel(r.asi) }]),
);

/** The `owasp_llm` and `owasp_asi` labels of a row, built once at load. */
export function owaspLabels(r: OwaspRow): { owasp_llm: string; owasp_asi: string } {
  return LABELS.get(r) ?? { owasp_llm: owaspLabel(r.llm), owasp_asi: owaspLabel(r.asi) };
}
