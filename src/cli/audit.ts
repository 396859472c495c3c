import { writeFileSync } from 'node:fs';
import { ConfigError, loadConfigFile } from '../config/load.js';
import type { GatehouseConfig } from '../config/schema/index.js';
import { FORMATS, type Format, render } from '../preflight/report.js';
import { gateFailures, runAudit } from '../preflight/run.js';
import { type AuditInput, SEVERITIES, type Severity } from '../preflight/types.js';
import { flagString, parseArgs } from './args.js';

export const AUDIT_USAGE =
  'audit --config FILE [--target URL] [--upstream URL ...] [--api-key KEY] [--model ALIAS] [--manifests DIR] [--dockerfile FILE] [--ca FILE] [--cert FILE --key FILE] [--insecure] [--format table|json|junit|sarif] [--out FILE] [--fail-on low|medium|high|critical] [--strict]   pre-deployment checklist, static and live';

/** Every value of a repeatable flag (`--upstream a --upstream b`); parseArgs keeps only the last. */
function repeated(argv: readonly string[], name: string): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    if (a === `--${name}` && argv[i + 1] !== undefined) out.push(argv[i + 1] as string);
    else if (a.startsWith(`--${name}=`)) out.push(a.slice(name.length + 3));
  });
  return out;
}

const oneOf = <T extends string>(list: readonly T[], v: string | undefined, dflt: T, what: string): T => {
  if (v === undefined) return dflt;
  if ((list as readonly string[]).includes(v)) return v as T;
  throw new Error(`--${what}: expected one of ${list.join(', ')}`);
};

/**
 * `gatehouse audit`: exit 0 when no check fails at or above --fail-on, 1 when one does, 2 on a usage
 * error. The credential is read from --api-key or GATEHOUSE_AUDIT_KEY (an environment variable keeps
 * it out of process listings and CI logs).
 */
export async function runAuditCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['insecure', 'strict']);
  let format: Format;
  let failOn: Severity;
  let target: URL | null;
  let upstreams: URL[];
  try {
    format = oneOf(FORMATS, flagString(args, 'format'), 'table', 'format');
    failOn = oneOf(SEVERITIES, flagString(args, 'fail-on'), 'low', 'fail-on');
    const t = flagString(args, 'target');
    target = t === undefined ? null : new URL(t);
    upstreams = repeated(argv, 'upstream').map((u) => new URL(u));
  } catch (err) {
    process.stderr.write(`gatehouse audit: ${(err as Error).message}\nusage: gatehouse ${AUDIT_USAGE}\n`);
    return 2;
  }
  const configFile = flagString(args, 'config') ?? null;
  let config: Readonly<GatehouseConfig> | null = null;
  let configProblems: readonly string[] = [];
  if (configFile !== null) {
    try {
      config = loadConfigFile(configFile);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      configProblems = err.problems;
    }
  }
  const input: AuditInput = {
    config,
    configProblems,
    configFile,
    target,
    apiKey: flagString(args, 'api-key') ?? process.env.GATEHOUSE_AUDIT_KEY ?? null,
    model: flagString(args, 'model') ?? null,
    upstreams,
    manifests: flagString(args, 'manifests') ?? null,
    dockerfile: flagString(args, 'dockerfile') ?? null,
    tls: {
      ca: flagString(args, 'ca'),
      cert: flagString(args, 'cert'),
      key: flagString(args, 'key'),
      insecure: args.flags.get('insecure') === true,
    },
    rateProbeMax: Number(flagString(args, 'rate-probe-max') ?? 100),
    timeoutMs: Number(flagString(args, 'timeout-ms') ?? 5_000),
  };
  const report = await runAudit(input);
  const text = render(report, format);
  const out = flagString(args, 'out');
  if (out !== undefined) {
    writeFileSync(out, text);
    // The people-readable summary still goes to the terminal.
    if (format !== 'table') process.stdout.write(render(report, 'table'));
  } else process.stdout.write(text);
  const gate = gateFailures(report, failOn, args.flags.get('strict') === true);
  if (gate.length > 0)
    process.stderr.write(
      `gatehouse audit: ${gate.length} check(s) at or above ${failOn}: ${gate.map((g) => g.id).join(', ')}\n`,
    );
  return gate.length > 0 ? 1 : 0;
}
