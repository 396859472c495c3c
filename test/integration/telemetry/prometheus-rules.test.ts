import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runExportCommand } from '../../../src/cli/export.js';
import { tmp } from './helpers.js';

// promtool comes from the Debian package `prometheus` (.ci/run installs it).
const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
if (!hasPromtool)
  console.warn(
    'SKIPPED: promtool not found; install the Debian package `prometheus` to validate the exported rules',
  );

// In CI (.ci/run installs promtool) a missing promtool fails these tests rather than skipping them.
const mustRun = hasPromtool || process.env.CI !== undefined;

const promtool = (args: string[]) => {
  const r = spawnSync('promtool', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
};

const labels = (severity: string, signal: string) => ({ severity, signal, source: 'gatehouse' });
const annotations = (summary: string, signal: string) => ({
  summary,
  description: `Gatehouse signal ${signal}; see docs/observability.md.`,
});

describe.skipIf(!mustRun)('gatehouse export prometheus-rules (checked by promtool)', () => {
  it('writes rules that `promtool check rules` accepts, one alert per signal', async () => {
    const dir = tmp('gh-rules-');
    const file = join(dir, 'gatehouse-rules.yml');
    expect(await runExportCommand(['prometheus-rules', '--out', file])).toBe(0);
    const r = promtool(['check', 'rules', file]);
    expect(r.out).toContain('SUCCESS: 15 rules found');
    expect(r.status).toBe(0);
    const text = readFileSync(file, 'utf8');
    for (const name of [
      'GatehouseHighErrorRate',
      'GatehouseLatencyP99AboveBaseline',
      'GatehouseGpuMemoryHigh',
      'GatehouseTokenThroughputDrop',
      'GatehouseGuardrailBlockRateSpike',
      'GatehouseAuthFailureSpike',
      'GatehouseUnknownConsumer',
      'GatehouseQuotaNearLimit',
      'GatehousePaceDegraded',
      'GatehouseKillSwitchEngaged',
      'GatehouseEgressDenialBurst',
    ])
      expect(text).toContain(`alert: ${name}`);
  });

  it('takes thresholds, severities and switches from the configuration', async () => {
    const dir = tmp('gh-rules-cfg-');
    const cfg = join(dir, 'gatehouse.yaml');
    writeFileSync(
      cfg,
      stringify({
        telemetry: {
          alerts: {
            signals: {
              errorRate: { threshold: 0.02, severity: 'medium', forMs: 120_000 },
              gpuMemory: { enabled: false },
            },
          },
        },
      }),
    );
    const file = join(dir, 'rules.yml');
    expect(await runExportCommand(['prometheus-rules', '--config', cfg, '--out', file])).toBe(0);
    expect(promtool(['check', 'rules', file]).status).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('GatehouseGpuMemoryHigh');
    expect(text).toMatch(/> 0\.02\)/);
    expect(text).toContain('for: 2m');
    expect(await runExportCommand(['nonsense'])).toBe(2);
  });

  it('the rules fire on the metric series Gatehouse exports (`promtool test rules`)', async () => {
    const dir = tmp('gh-rules-test-');
    const rules = join(dir, 'rules.yml');
    expect(await runExportCommand(['prometheus-rules', '--out', rules])).toBe(0);
    const spec = {
      rule_files: [rules],
      evaluation_interval: '15s',
      tests: [
        {
          interval: '15s',
          input_series: [
            {
              series:
                'gatehouse_requests_total{route="demo",endpoint="chat",status="200",status_class="2xx"}',
              values: '0+90x60',
            },
            {
              series:
                'gatehouse_requests_total{route="demo",endpoint="chat",status="502",status_class="5xx"}',
              values: '0+10x60',
            },
            {
              series: 'gatehouse_auth_failures_max_per_source_ip{instance="a"}',
              values: '0 3 11 11 11 11 2 0',
            },
            { series: 'gatehouse_unknown_consumer_requests_total{instance="a"}', values: '0 0 1 1 1 1 1 1' },
            { series: 'gatehouse_gpu_memory_utilization_ratio{gpu="0",source="dcgm"}', values: '0.95x60' },
            { series: 'gatehouse_quota_usage_ratio{dimension="input_tokens/m"}', values: '0.5 0.85 0.85' },
          ],
          alert_rule_test: [
            { eval_time: '3m', alertname: 'GatehouseHighErrorRate', exp_alerts: [] },
            {
              eval_time: '8m',
              alertname: 'GatehouseHighErrorRate',
              exp_alerts: [
                {
                  exp_labels: labels('high', 'error_rate'),
                  exp_annotations: annotations('5xx error rate above 5%', 'error_rate'),
                },
              ],
            },
            {
              eval_time: '45s',
              alertname: 'GatehouseAuthFailureSpike',
              exp_alerts: [
                {
                  exp_labels: labels('high', 'auth_failures'),
                  exp_annotations: annotations(
                    'more than 10 authentication failures from one source IP in 1m',
                    'auth_failures',
                  ),
                },
              ],
            },
            { eval_time: '15s', alertname: 'GatehouseAuthFailureSpike', exp_alerts: [] },
            {
              eval_time: '1m',
              alertname: 'GatehouseUnknownConsumer',
              exp_alerts: [
                {
                  exp_labels: labels('medium', 'unknown_consumer'),
                  exp_annotations: annotations('request from an unknown consumer', 'unknown_consumer'),
                },
              ],
            },
            {
              eval_time: '7m',
              alertname: 'GatehouseGpuMemoryHigh',
              exp_alerts: [
                {
                  exp_labels: labels('medium', 'gpu_memory'),
                  exp_annotations: annotations('GPU memory utilisation above 90%', 'gpu_memory'),
                },
              ],
            },
            {
              eval_time: '30s',
              alertname: 'GatehouseQuotaNearLimit',
              exp_alerts: [
                {
                  exp_labels: { ...labels('low', 'quota'), dimension: 'input_tokens/m' },
                  exp_annotations: annotations('a consumer has used more than 80% of a quota', 'quota'),
                },
              ],
            },
          ],
        },
      ],
    };
    const specFile = join(dir, 'rules.test.yml');
    writeFileSync(specFile, stringify(spec));
    const r = promtool(['test', 'rules', specFile]);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});
