import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIMIT_DIMENSION_NAMES } from '../../../src/formats/limit-dimension.js';
import { OUTPUT_DETECTORS } from '../../../src/guard/output/types.js';
import { DETECTOR_NAMES } from '../../../src/guard/types.js';
import type { RequestContext } from '../../../src/pipeline/context.js';
import { SIGNAL_NAMES } from '../../../src/telemetry/alerts/signals.js';
import { createEventFactory } from '../../../src/telemetry/audit/build.js';
import type { AuditEvent } from '../../../src/telemetry/audit/schema.js';
import type { AlertRecord, SecurityEventInput } from '../../../src/telemetry/audit/security.js';
import { OWASP_TABLE, owaspForAlert, owaspForLimit, owaspForVerdict } from '../../../src/telemetry/owasp.js';
import {
  GENERATED,
  generatedSection,
  renderAlertTable,
  renderOwaspDoc,
  renderOwaspTable,
} from '../../../src/telemetry/soc-docs.js';

const owaspDoc = readFileSync('docs/owasp.md', 'utf8');
const soc = readFileSync('docs/soc.md', 'utf8');
const RENDER = 'run `npx tsx scripts/render-soc-docs.ts`';

const factory = createEventFactory({ version: 't', includeText: false, maxTextChars: 100 });
const alert = (signal: string, labels: Record<string, string> = {}): AlertRecord => ({
  signal,
  fingerprint: `${signal}:`,
  severity: 'high',
  status: 'firing',
  value: 1,
  threshold: 0,
  baseline: null,
  startsAt: Date.UTC(2026, 0, 1),
  endsAt: null,
  summary: 's',
  labels,
});
const SECURITY: SecurityEventInput[] = [
  { action: 'auth.failure', reason: 'GH_ERR_AUTH_INVALID', method: 'api_key' },
  { action: 'consumer.unknown', reason: 'GH_ERR_AUTH_UNKNOWN_CONSUMER' },
  { action: 'limit.hit', dimension: 'input_tokens', limit: 100, used: 120 },
  { action: 'budget.threshold', dimension: 'input_tokens', window: 'm', used: 84, limit: 100 },
  {
    action: 'guardrail.verdict',
    verdict: {
      phase: 'input',
      detector: 'injection',
      type: 'instruction_override',
      action: 'block',
      score: 1,
    },
  },
  { action: 'mode.change', from: 'primary', to: 'alternate', reason: 'r' },
  { action: 'config.reload', outcome: 'success', version: '2', changes: ['routes'] },
];
/** A finished, blocked request as the record stage sees it (the fields the event writer reads). */
const requestCtx = {
  requestId: 'req_abc',
  trace: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), parentSpanId: null, flags: '01' },
  req: { method: 'POST', url: '/v1/chat/completions', headers: {} },
  start: 0,
  startedAt: Date.UTC(2026, 0, 1),
  endpoint: 'chat',
  sourceIp: '192.0.2.9',
  userAgent: 'ua/1',
  identity: null,
  route: null,
  alias: 'demo',
  body: {},
  stream: false,
  inputTokens: 12,
  maxOutputTokens: 64,
  upstream: null,
  usage: { inputTokens: 12, outputTokens: 4 },
  usageSource: 'upstream',
  streamedText: '',
  ttftMs: null,
  status: 200,
  error: null,
  verdicts: [
    { phase: 'input', detector: 'injection', type: 'instruction_override', action: 'block', score: 1 },
  ],
  flags: [],
  cost: 0.001,
} as unknown as RequestContext;

const sample = (): AuditEvent[] => [
  JSON.parse(factory.requestLine(requestCtx, 5)) as AuditEvent,
  ...SECURITY.map((i) => factory.security(i, { sourceIp: '192.0.2.1', consumer: 'c', requestId: 'r' })),
  factory.alert(alert('auth_failures', { source_ip: '192.0.2.1' })),
  factory.alert({
    ...alert('quota', { consumer: 'c', dimension: 'input_tokens' }),
    status: 'resolved',
    endsAt: 1,
  }),
];

describe('docs/owasp.md and the OWASP table', () => {
  it('docs/owasp.md is exactly what the table renders', () => {
    expect(owaspDoc, RENDER).toBe(renderOwaspDoc());
  });

  it("has the guide's rows with the guide's ids, and marks what is built as present", () => {
    const control = (k: string) => OWASP_TABLE.find((r) => r.key === `control:${k}`);
    const ids = (k: string) => [...(control(k)?.llm ?? []), ...(control(k)?.asi ?? [])];
    expect(ids('rate-limits')).toEqual(['LLM10']);
    expect(ids('input-validation')).toEqual(['LLM01', 'ASI01']);
    expect(ids('output-scanning')).toEqual(['LLM02', 'ASI02']);
    expect(ids('token-limits')).toEqual(['LLM10']);
    expect(ids('model-pinning')).toEqual(['LLM04', 'ASI04']);
    expect(ids('tool-gateway')).toEqual(['LLM07', 'ASI02']);
    expect(ids('private-endpoints')).toEqual(['LLM06', 'ASI05']);
    expect(ids('kill-switch')).toEqual(['ASI08']);
    for (const k of ['tool-gateway', 'kill-switch', 'canary-rollout'])
      expect(control(k)?.status).toBe('present');
    expect(owaspDoc).toContain(
      '| `control:kill-switch` | control | Kill switch | — | ASI08: Cascading Agent Failures | present |',
    );
  });

  it('maps every detector, limit dimension and alert signal Gatehouse has, by its own row', () => {
    for (const d of DETECTOR_NAMES) expect(owaspForVerdict('input', d).key).toBe(`verdict:input:${d}`);
    for (const d of OUTPUT_DETECTORS) expect(owaspForVerdict('output', d).key).toBe(`verdict:output:${d}`);
    for (const d of [...Object.values(LIMIT_DIMENSION_NAMES), 'cost_soft_cap'])
      expect(owaspForLimit(d).key).toBe(`limit:${d}`);
    for (const s of SIGNAL_NAMES) expect(owaspForAlert(s)?.key).toBe(`alert:${s}`);
    expect(new Set(OWASP_TABLE.map((r) => r.key)).size).toBe(OWASP_TABLE.length);
    expect(
      OWASP_TABLE.filter((r) => r.status === 'planned').every(
        (r) => r.kind === 'control' || r.kind === 'tool',
      ),
    ).toBe(true);
  });

  it('stamps every verdict, limit, auth and alert event, and only those', () => {
    const stamped = sample()
      .filter((e) => e.gatehouse.owasp !== undefined)
      .map((e) => e.event.action);
    expect(stamped).toEqual([
      'gen_ai.request',
      'auth.failure',
      'consumer.unknown',
      'limit.hit',
      'budget.threshold',
      'guardrail.verdict',
      'alert.firing',
      'alert.resolved',
    ]);
    const [request, auth, , , , verdict, firing, resolved] = sample().filter(
      (e) => e.gatehouse.owasp !== undefined,
    );
    expect(verdict?.threat?.framework).toBe('OWASP LLM Top 10');
    expect(request?.gatehouse.owasp).toEqual(verdict?.gatehouse.owasp);
    // A request whose verdicts all allowed carries no stamp.
    const allowed = {
      ...requestCtx,
      verdicts: [{ ...requestCtx.verdicts[0], action: 'allow' }],
    } as RequestContext;
    expect(factory.request(allowed).gatehouse.owasp).toBeUndefined();
    expect(auth?.gatehouse.owasp).toEqual({ controls: ['auth:failure'], llm: [], asi: ['ASI03'] });
    expect(auth?.threat).toMatchObject({ framework: 'OWASP Agentic Top 10', technique: { id: ['ASI03'] } });
    expect(firing?.threat?.technique.name).toEqual(['Identity and Privilege Abuse']);
    expect(resolved?.gatehouse.owasp?.llm).toEqual(['LLM10']);
    const spool = factory.alert(alert('audit_spool', { sink: 's' }));
    expect(spool.gatehouse.owasp).toEqual({ controls: ['alert:audit_spool'], llm: [], asi: [] });
    expect(spool.threat).toBeUndefined();
  });
});

describe('docs/soc.md (the SOC content pack)', () => {
  it('holds the generated OWASP and alert tables as the code renders them', () => {
    expect(generatedSection(soc, GENERATED.owaspTable), RENDER).toBe(renderOwaspTable());
    expect(generatedSection(soc, GENERATED.alertTable), RENDER).toBe(renderAlertTable());
  });

  it('lists every audit event kind', () => {
    const actions = new Set(['gen_ai.request', ...sample().map((e) => e.event.action), 'alert.resolved']);
    for (const a of actions) expect(soc).toContain(`| \`${a}\` |`);
  });

  const section = (signal: string): string => {
    const start = soc.indexOf(`### \`${signal}\``);
    expect(start, `no section for ${signal}`).toBeGreaterThan(0);
    const next = soc.indexOf('\n#', start + 4);
    return soc.slice(start, next < 0 ? undefined : next);
  };
  const blocks = (text: string, lang: string): string[] =>
    [...text.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] ?? '');

  const EIGHT = [
    'error_rate',
    'latency_p99',
    'gpu_memory',
    'token_throughput',
    'guardrail_block_rate',
    'auth_failures',
    'unknown_consumer',
    'quota',
  ];

  it('has a Splunk and an Elastic query for each of the eight signals', () => {
    for (const s of EIGHT) {
      const text = section(s);
      expect(blocks(text, 'spl'), s).toHaveLength(1);
      expect(blocks(text, 'esql').length + blocks(text, 'kql').length, s).toBe(1);
    }
  });

  it('queries only fields that real audit events have', () => {
    // Every path of the events Gatehouse writes (a request event from the gateway test's shape aside,
    // its fields are in docs/audit-events.md; here the security and alert events plus the request's).
    const paths = new Set<string>();
    const walk = (v: unknown, p: string): void => {
      if (p !== '') paths.add(p);
      if (Array.isArray(v)) for (const x of v) walk(x, p);
      else if (v !== null && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) walk(x, p === '' ? k : `${p}.${k}`);
    };
    for (const e of sample()) walk(JSON.parse(JSON.stringify(e)), '');
    const FIELD = /(?<![\w.-])(?:event|gatehouse|source|user|http|threat|gen_ai)\.[a-z_]+(?:\.[a-z_0-9]+)*/g;
    // String literals are values ("gen_ai.request"), not fields; Splunk's 'quoted' names are fields.
    const used = new Set<string>();
    for (const s of EIGHT)
      for (const lang of ['spl', 'esql', 'kql'])
        for (const b of blocks(section(s), lang))
          for (const m of b.replace(/"[^"]*"/g, '""').matchAll(FIELD)) used.add(m[0]);
    expect(used.size).toBeGreaterThan(10);
    for (const f of used) expect(paths.has(f), `${f} is not a field of any audit event`).toBe(true);
  });

  it('shows the three-layer mapping with the Judge, the console and the docs of each area', () => {
    const start = soc.indexOf('## Three-layer mapping');
    expect(start).toBeGreaterThan(0);
    const table = soc.slice(start);
    for (const area of ['Gateway', 'Rate limiting', 'Model endpoint', 'Tool servers', 'Deployment', 'PACE'])
      expect(table).toContain(`| ${area} |`);
    expect(table).not.toMatch(/planned/);
    for (const doc of ['judge.md', 'canary.md', 'resilience.md', 'tools.md', 'control-plane.md'])
      expect(table).toContain(`(${doc})`);
  });
});
