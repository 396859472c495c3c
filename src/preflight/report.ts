import type { AuditReport, CheckResult, Severity, Verdict } from './types.js';

/** The four renderings: a table for people, JSON, JUnit XML (one testcase per check) and SARIF 2.1.0. */
export const FORMATS = ['table', 'json', 'junit', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];

const LABEL: Readonly<Record<Verdict, string>> = {
  pass: 'PASS',
  fail: 'FAIL',
  not_configured: 'NOT CONFIGURED',
  not_applicable: 'N/A',
  skipped: 'SKIPPED',
};

export function renderTable(r: AuditReport): string {
  const rows = r.results.map((c) => [LABEL[c.verdict], c.severity, c.id, c.title]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]?.length ?? 0), 6));
  const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - s.length));
  const out: string[] = [
    `gatehouse audit — target ${r.target ?? '(none)'} — config ${r.config ?? '(none)'}`,
    '',
  ];
  for (const [i, c] of r.results.entries()) {
    const row = rows[i] ?? [];
    out.push(row.map((cell, j) => (j < 3 ? pad(cell, widths[j] ?? 0) : cell)).join('  '));
    if (c.verdict !== 'pass')
      for (const e of c.evidence) out.push(`${' '.repeat((widths[0] ?? 0) + 2)}· ${e}`);
  }
  const s = r.summary;
  out.push(
    '',
    `${s.pass} pass, ${s.fail} fail, ${s.not_configured} not configured, ${s.not_applicable} not applicable, ${s.skipped} skipped`,
  );
  return `${out.join('\n')}\n`;
}

export const renderJson = (r: AuditReport): string => `${JSON.stringify(r, null, 2)}\n`;

const xml = (s: string): string =>
  s
    // XML 1.0 forbids most control characters even escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

export function renderJunit(r: AuditReport): string {
  const secs = (ms: number) => (ms / 1000).toFixed(3);
  const total = r.results.reduce((a, c) => a + c.durationMs, 0);
  const failures = r.results.filter((c) => c.verdict === 'fail').length;
  const skippedN = r.results.filter((c) => c.verdict !== 'pass' && c.verdict !== 'fail').length;
  const cases = r.results.map((c) => {
    const head = `    <testcase name="${xml(`${c.id}: ${c.title}`)}" classname="gatehouse.audit.${xml(c.item)}" time="${secs(c.durationMs)}">`;
    const evidence = xml(c.evidence.join('\n'));
    let body = '';
    if (c.verdict === 'fail')
      body = `\n      <failure message="${xml(`[${c.severity}] ${c.seed}`)}" type="${c.severity}">${evidence}</failure>`;
    else if (c.verdict !== 'pass')
      body = `\n      <skipped message="${xml(`${LABEL[c.verdict]}: ${c.evidence[0] ?? ''}`)}"/>`;
    const out = c.verdict === 'pass' ? `\n      <system-out>${evidence}</system-out>` : '';
    return `${head}${body}${out}\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="gatehouse audit" tests="${r.results.length}" failures="${failures}" errors="0" skipped="${skippedN}" time="${secs(total)}">`,
    `  <testsuite name="pre-deployment checklist" tests="${r.results.length}" failures="${failures}" errors="0" skipped="${skippedN}" time="${secs(total)}" timestamp="${r.startedAt.slice(0, 19)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

const SARIF_LEVEL: Readonly<Record<Severity, 'note' | 'warning' | 'error'>> = {
  low: 'note',
  medium: 'warning',
  high: 'error',
  critical: 'error',
};

/** GitHub code scanning reads `security-severity` (0–10) from a rule's properties. */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  low: '3.0',
  medium: '5.5',
  high: '8.0',
  critical: '9.5',
};

const KIND: Readonly<Record<Verdict, 'pass' | 'fail' | 'notApplicable' | 'review'>> = {
  pass: 'pass',
  fail: 'fail',
  not_applicable: 'notApplicable',
  not_configured: 'review',
  skipped: 'review',
};

export function renderSarif(r: AuditReport, artifactUri: string | null): string {
  const rules = r.results.map((c) => ({
    id: c.id,
    name: c.id.replace(/[^A-Za-z0-9]+/g, ''),
    shortDescription: { text: c.title },
    fullDescription: { text: c.seed },
    help: { text: `${c.seed}\nOWASP: ${c.owasp.join('; ')}\nSee docs/audit.md#${c.item.toLowerCase()}` },
    defaultConfiguration: { level: SARIF_LEVEL[c.severity] },
    properties: { tags: ['security', ...c.owasp], 'security-severity': SECURITY_SEVERITY[c.severity] },
  }));
  const results = r.results.map((c, i) => ({
    ruleId: c.id,
    ruleIndex: i,
    kind: KIND[c.verdict],
    level: c.verdict === 'fail' ? SARIF_LEVEL[c.severity] : 'none',
    message: {
      text: `${LABEL[c.verdict]}: ${c.title}${c.evidence.length > 0 ? ` — ${c.evidence.join('; ')}` : ''}`,
    },
    ...(artifactUri !== null
      ? { locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri } } }] }
      : {}),
    properties: { verdict: c.verdict, severity: c.severity, evidence: c.evidence },
  }));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'gatehouse-audit',
            version: r.tool.version,
            informationUri: 'https://github.com/gatehouse/gatehouse/blob/main/docs/audit.md',
            rules,
          },
        },
        invocations: [{ executionSuccessful: true, startTimeUtc: r.startedAt }],
        results,
        properties: { target: r.target },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

const RENDERERS: Readonly<Record<Format, (r: AuditReport) => string>> = {
  table: renderTable,
  json: renderJson,
  junit: renderJunit,
  sarif: (r) => renderSarif(r, r.config),
};

export const render = (r: AuditReport, format: Format): string => RENDERERS[format](r);

export type { CheckResult };
