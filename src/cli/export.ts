import { writeFileSync } from 'node:fs';
import { loadConfigFile } from '../config/load.js';
import { telemetrySchema } from '../config/schema/telemetry.js';
import { prometheusRules } from '../telemetry/alerts/prometheus-rules.js';
import { ruleWindowWarnings } from '../telemetry/alerts/rule-windows.js';
import { flagString, parseArgs } from './args.js';

type Exporter = (argv: string[]) => Promise<number>;

const USAGE =
  'usage: gatehouse export prometheus-rules [--config FILE] [--out FILE] [--baseline-range 6h] [--scrape-interval 15s]\n';
const DURATION = /^(\d+)(s|m|h)$/;
const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** What `gatehouse export` can produce, by name. */
const EXPORTS: Readonly<Record<string, Exporter>> = {
  /** Alerting rules for the alert signals, with the thresholds of `--config` (or the defaults). */
  'prometheus-rules': async (argv) => {
    const args = parseArgs(argv);
    const file = flagString(args, 'config');
    const telemetry = file !== undefined ? loadConfigFile(file).telemetry : telemetrySchema.parse({});
    const alerts = telemetry.alerts;
    const scrape = flagString(args, 'scrape-interval');
    const m = scrape === undefined ? null : DURATION.exec(scrape);
    if (scrape !== undefined && (m === null || Number(m[1]) === 0)) {
      process.stderr.write(`--scrape-interval: expected a duration such as 15s\n${USAGE}`);
      return 2;
    }
    const scrapeMs =
      m === null ? telemetry.metrics.scrapeIntervalMs : Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1_000);
    // Warnings refuse nothing: the file is still written.
    for (const w of ruleWindowWarnings(alerts, scrapeMs)) process.stderr.write(`warning: ${w}\n`);
    const range = flagString(args, 'baseline-range');
    if (range !== undefined && !/^\d+[smhdw]$/.test(range)) {
      process.stderr.write(`--baseline-range: expected a Prometheus duration such as 6h\n${USAGE}`);
      return 2;
    }
    const yaml = prometheusRules(alerts, range === undefined ? {} : { baselineRange: range });
    const out = flagString(args, 'out');
    if (out === undefined) process.stdout.write(yaml);
    else writeFileSync(out, yaml);
    return 0;
  },
};

/** `gatehouse export <what> ...` */
export async function runExportCommand(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  const exporter = what === undefined ? undefined : EXPORTS[what];
  if (exporter === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  return exporter(rest);
}
