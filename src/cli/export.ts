import { writeFileSync } from 'node:fs';
import { loadConfigFile } from '../config/load.js';
import { telemetrySchema } from '../config/schema/telemetry.js';
import { prometheusRules } from '../telemetry/alerts/prometheus-rules.js';
import { flagString, parseArgs } from './args.js';

type Exporter = (argv: string[]) => Promise<number>;

const USAGE = 'usage: gatehouse export prometheus-rules [--config FILE] [--out FILE] [--baseline-range 6h]\n';

/** What `gatehouse export` can produce, by name. */
const EXPORTS: Readonly<Record<string, Exporter>> = {
  /** Alerting rules for the alert signals, with the thresholds of `--config` (or the defaults). */
  'prometheus-rules': async (argv) => {
    const args = parseArgs(argv);
    const file = flagString(args, 'config');
    const alerts =
      file !== undefined ? loadConfigFile(file).telemetry.alerts : telemetrySchema.parse({}).alerts;
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
