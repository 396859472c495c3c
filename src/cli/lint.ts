import { lintReport } from '../boot/lint.js';
import { ConfigError, loadConfigFile } from '../config/load.js';
import { ruleWindowWarnings } from '../telemetry/alerts/rule-windows.js';
import { flagString, parseArgs } from './args.js';

/** `gatehouse lint --config FILE`: every problem on its own line, non-zero exit when there is any. */
export async function runLintCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const file = flagString(args, 'config') ?? args.positionals[0];
  if (!file) {
    process.stderr.write('usage: gatehouse lint --config FILE\n');
    return 2;
  }
  let problems: string[];
  let warnings: string[] = [];
  try {
    const cfg = loadConfigFile(file);
    ({ errors: problems, warnings } = lintReport(cfg));
    warnings = [
      ...warnings,
      ...ruleWindowWarnings(cfg.telemetry.alerts, cfg.telemetry.metrics.scrapeIntervalMs),
    ];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems = [...err.problems];
  }
  for (const p of problems) process.stdout.write(`${file}: ${p}\n`);
  // Warnings refuse nothing (the exit status ignores them).
  for (const w of warnings) process.stdout.write(`${file}: warning: ${w}\n`);
  if (problems.length === 0) process.stdout.write(`${file}: ok\n`);
  return problems.length === 0 ? 0 : 1;
}
