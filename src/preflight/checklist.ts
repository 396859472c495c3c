/**
 * The guide's "Pre-Deployment Checklist", word for word, item by item, with the OWASP entries each
 * item defends against (LLM Top 10 2025 and API Security Top 10 2023). Two gateway-hardening rows
 * the checklist implies but does not list (a WAF in front, a config that validates) and the kill
 * switch of "PACE Resilience for Endpoints" join them, so every check belongs to one row.
 */
export interface ChecklistItem {
  readonly id: string;
  readonly seed: string;
  readonly owasp: readonly string[];
}

export const CHECKLIST: readonly ChecklistItem[] = [
  {
    id: 'CL-01',
    seed: 'Model endpoint is not directly addressable from outside Zone 2',
    owasp: ['LLM10:2025 Unbounded Consumption', 'API8:2023 Security Misconfiguration'],
  },
  {
    id: 'CL-02',
    seed: 'All traffic routes through API gateway with authentication and rate limiting',
    owasp: ['API2:2023 Broken Authentication', 'API4:2023 Unrestricted Resource Consumption'],
  },
  {
    id: 'CL-03',
    seed: 'Input and output guardrails are inline on the request path (not bypassable)',
    owasp: [
      'LLM01:2025 Prompt Injection',
      'LLM02:2025 Sensitive Information Disclosure',
      'LLM05:2025 Improper Output Handling',
    ],
  },
  {
    id: 'CL-04',
    seed: 'Health check and metrics endpoints are on separate ports, not externally accessible',
    owasp: ['API8:2023 Security Misconfiguration', 'API9:2023 Improper Inventory Management'],
  },
  {
    id: 'CL-05',
    seed: 'TLS 1.2+ enforced on all connections',
    owasp: ['API8:2023 Security Misconfiguration'],
  },
  {
    id: 'CL-06',
    seed: 'mTLS enforced for internal service-to-service calls (Tier 3+)',
    owasp: ['API2:2023 Broken Authentication', 'API8:2023 Security Misconfiguration'],
  },
  {
    id: 'CL-07',
    seed: 'Correlation ID generated and propagated for every request',
    owasp: ['API8:2023 Security Misconfiguration'],
  },
  {
    id: 'CL-08',
    seed: 'Max input tokens, max output tokens, and request timeout are enforced at gateway',
    owasp: ['LLM10:2025 Unbounded Consumption', 'API4:2023 Unrestricted Resource Consumption'],
  },
  {
    id: 'CL-09',
    seed: 'Model version is pinned - no auto-updates in production',
    owasp: ['LLM03:2025 Supply Chain', 'LLM04:2025 Data and Model Poisoning'],
  },
  {
    id: 'CL-10',
    seed: 'Container runs as non-root with read-only filesystem',
    owasp: ['API8:2023 Security Misconfiguration'],
  },
  {
    id: 'CL-11',
    seed: 'No outbound network access from model endpoint (except via egress proxy for agents)',
    owasp: ['LLM06:2025 Excessive Agency', 'API10:2023 Unsafe Consumption of APIs'],
  },
  {
    id: 'CL-12',
    seed: 'Diagnostic logs flowing to SIEM with identity correlation',
    owasp: ['API8:2023 Security Misconfiguration'],
  },
  {
    id: 'CL-13',
    seed: 'Rate limits configured per consumer: requests, tokens, and cost',
    owasp: ['LLM10:2025 Unbounded Consumption', 'API4:2023 Unrestricted Resource Consumption'],
  },
  {
    id: 'CL-14',
    seed: 'Credential scanning active on model I/O',
    owasp: ['LLM02:2025 Sensitive Information Disclosure'],
  },
  {
    id: 'CL-15',
    seed: 'Network policy tests automated in deployment pipeline',
    owasp: ['API8:2023 Security Misconfiguration'],
  },
  {
    id: 'GW-CFG',
    seed: 'Gateway configuration validates and lints clean (the gateway refuses to start otherwise)',
    owasp: ['API8:2023 Security Misconfiguration'],
  },
  {
    id: 'GW-WAF',
    seed: 'WAF integration: Standard OWASP CRS rules for SQLi, XSS, path traversal',
    owasp: ['API8:2023 Security Misconfiguration', 'LLM01:2025 Prompt Injection'],
  },
  {
    id: 'PACE-KILL',
    seed: 'The kill switch must be infrastructure-level (gateway config or DNS), not dependent on the model endpoint itself being responsive',
    owasp: ['LLM10:2025 Unbounded Consumption'],
  },
];

const BY_ID = new Map(CHECKLIST.map((i) => [i.id, i]));

export function itemOf(id: string): ChecklistItem {
  const item = BY_ID.get(id);
  if (item === undefined) throw new Error(`checklist item ${id}: unknown`);
  return item;
}
