import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { runExportCommand } from '../../../src/cli/export.js';
import { runLintCommand } from '../../../src/cli/lint.js';
import { alertsSchema } from '../../../src/config/schema/telemetry.js';
import { ruleWindowWarnings } from '../../../src/telemetry/alerts/rule-windows.js';

const route = {
  alias: 'chat',
  upstream: { provider: 'openai', url: 'http://127.0.0.1:1/v1', model: 'm-2026-01-01' },
};

function configFile(telemetry: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gh-rule-windows-'));
  const file = join(dir, 'gatehouse.yaml');
  writeFileSync(file, stringify({ server: { allowPlaintext: true }, routes: [route], telemetry }));
  return file;
}

/** Runs a CLI command and returns what it wrote to stdout and stderr. */
async function run(cmd: () => Promise<number>) {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => out.push(String(c)) > 0);
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => err.push(String(c)) > 0);
  try {
    const code = await cmd();
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('exported rule windows against the scrape interval', () => {
  it('warns for each enabled ranged rule whose window is under four scrape intervals', () => {
    const alerts = alertsSchema.parse({
      signals: {
        errorRate: { windowMs: 30_000 },
        gpuMemory: { windowMs: 20_000, enabled: false },
        // Gauges without a range are not affected by the scrape interval.
        authFailures: { windowMs: 10_000 },
      },
    });
    expect(ruleWindowWarnings(alerts, 15_000)).toEqual([
      'telemetry.alerts.signals.errorRate.windowMs: 30s is shorter than 4 scrape intervals (4 × 15s = 1m); the exported rule GatehouseHighErrorRate would return nothing and never fire (the built-in engine is not affected)',
    ]);
    // The defaults are exactly long enough for the default 15 s scrape, not for a 30 s one.
    expect(ruleWindowWarnings(alertsSchema.parse({}), 15_000)).toEqual([]);
    expect(ruleWindowWarnings(alertsSchema.parse({}), 30_000).map((w) => w.split(':')[0])).toEqual([
      'telemetry.alerts.signals.errorRate.windowMs',
      'telemetry.alerts.signals.gpuMemory.windowMs',
      'telemetry.alerts.signals.egressDenials.windowMs',
    ]);
  });

  it('`gatehouse lint` prints the warning and still exits 0', async () => {
    const file = configFile({ metrics: { scrapeIntervalMs: 30_000 } });
    const r = await run(() => runLintCommand(['--config', file]));
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${file}: warning: telemetry.alerts.signals.errorRate.windowMs: 1m is shorter`);
    expect(r.out).toContain(`${file}: ok`);
  });

  it('`gatehouse export prometheus-rules` warns on stderr, takes --scrape-interval, and writes the file', async () => {
    const file = configFile({ alerts: { signals: { unknownConsumer: { windowMs: 45_000 } } } });
    const out = join(mkdtempSync(join(tmpdir(), 'gh-rules-out-')), 'rules.yml');
    const r = await run(() => runExportCommand(['prometheus-rules', '--config', file, '--out', out]));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^warning: telemetry\.alerts\.signals\.unknownConsumer\.windowMs: 45s is shorter/);
    expect(existsSync(out) && readFileSync(out, 'utf8')).toContain('GatehouseUnknownConsumer');
    const quiet = await run(() =>
      runExportCommand(['prometheus-rules', '--config', file, '--out', out, '--scrape-interval', '10s']),
    );
    expect(quiet.err).toBe('');
    const bad = await run(() => runExportCommand(['prometheus-rules', '--scrape-interval', 'often']));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--scrape-interval: expected a duration');
  });
});
