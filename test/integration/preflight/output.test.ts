import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { renderJunit, renderSarif } from '../../../src/preflight/report.js';
import type { AuditReport } from '../../../src/preflight/types.js';
import { REPO } from './audit-support.js';

/**
 * `gatehouse audit` as a pipeline runs it: the exit code gates at the chosen severity, and the
 * JUnit and SARIF files validate against their schemas (test/fixtures/preflight).
 */
const FIX = join(REPO, 'test/fixtures/preflight');
const dir = mkdtempSync(join(tmpdir(), 'gh-audit-out-'));
const cfgFile = join(dir, 'weak.yaml');

beforeAll(() => {
  // Lint-clean except what the audit itself flags: a floating model id (high), no SIEM sink (medium).
  writeFileSync(
    cfgFile,
    [
      'server: { host: 127.0.0.1, port: 8080, allowPlaintext: true }',
      'routes:',
      '  - alias: chat',
      '    upstream: { provider: openai, url: "http://127.0.0.1:9/v1", model: gpt-4o, zone2Colocated: true }',
      '',
    ].join('\n'),
  );
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterAll(() => vi.restoreAllMocks());

const audit = (...extra: string[]) => main(['audit', '--config', cfgFile, ...extra]);

function validateJunit(file: string): void {
  // xmllint exits non-zero (and execFileSync throws) when the document does not validate.
  execFileSync('xmllint', ['--noout', '--schema', join(FIX, 'junit.xsd'), file], { stdio: 'pipe' });
}

function sarifValidator() {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S+$/i);
  ajv.addFormat('uri-reference', /^\S*$/);
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  return ajv.compile(JSON.parse(readFileSync(join(FIX, 'sarif-2.1.0-subset.schema.json'), 'utf8')));
}

describe('gatehouse audit in a pipeline', () => {
  it('gates at the chosen severity', async () => {
    expect(await audit('--fail-on', 'low')).toBe(1);
    expect(await audit('--fail-on', 'high')).toBe(1);
    // GW-CFG and CL-05 (plain HTTP) fail at high, nothing at critical.
    expect(await audit('--fail-on', 'critical')).toBe(0);
    // --strict also gates on skipped and not configured: here the critical live checks, skipped
    // for want of a --target.
    expect(await audit('--fail-on', 'critical', '--strict')).toBe(1);
    expect(await audit('--format', 'xml')).toBe(2);
  });

  it('writes JUnit XML that validates, one testcase per check', async () => {
    const out = join(dir, 'audit.xml');
    await audit('--format', 'junit', '--out', out);
    validateJunit(out);
    const xml = readFileSync(out, 'utf8');
    expect(xml).toMatch(
      /<testcase name="CL-09\.model-pinned: [^"]*"[^>]*>\s*<failure message="\[high\] Model version is pinned/,
    );
    expect(xml).toContain('gpt-4o');
    // This config has no kill-switch flag file: a failure, with the evidence as its text.
    expect(xml).toMatch(/<testcase name="PACE-KILL\.reachable[^>]*>\s*<failure message="\[high\]/);
    expect(xml).toMatch(/<testcase name="CL-11\.egress-proxy[^>]*>\s*<skipped message="NOT CONFIGURED/);
  });

  it('writes SARIF 2.1.0 that validates', async () => {
    const out = join(dir, 'audit.sarif');
    await audit('--format', 'sarif', '--out', out);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    const validate = sarifValidator();
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    const pinned = doc.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'CL-09.model-pinned');
    expect(pinned).toMatchObject({ kind: 'fail', level: 'error' });
    expect(
      doc.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'CL-09.model-pinned').properties
        .tags,
    ).toContain('LLM03:2025 Supply Chain');
  });

  it('escapes hostile evidence in both formats', () => {
    const nasty = 'a <b> & "c" \u0001 ]]> \u001b[31m';
    const report: AuditReport = {
      tool: { name: 'gatehouse audit', version: '1' },
      startedAt: new Date().toISOString(),
      target: 'https://gw.example/',
      config: 'x.yaml',
      summary: { pass: 0, fail: 1, not_configured: 0, not_applicable: 1, skipped: 0 },
      results: (['fail', 'not_applicable'] as const).map((verdict) => ({
        id: `X-${verdict}`,
        item: 'CL-01',
        title: nasty,
        seed: nasty,
        owasp: ['API8:2023 Security Misconfiguration'],
        severity: 'low' as const,
        kind: 'live' as const,
        verdict,
        evidence: [nasty],
        durationMs: 3,
      })),
    };
    const xmlFile = join(dir, 'nasty.xml');
    writeFileSync(xmlFile, renderJunit(report));
    validateJunit(xmlFile);
    const validate = sarifValidator();
    expect(validate(JSON.parse(renderSarif(report, 'x.yaml'))), JSON.stringify(validate.errors)).toBe(true);
  });
});
