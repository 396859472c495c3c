import { once } from 'node:events';
import { formatReport, storeReport } from '../canary/report.js';
import { loadConfigFile } from '../config/load.js';
import { resolveSecret } from '../config/secrets.js';
import { createRedisStore } from '../store/redis.js';
import { flagString, parseArgs } from './args.js';

export const CANARY_USAGE =
  'canary report ROUTE --config FILE [--json]   canary vs baseline, each metric with its test and verdict';

/**
 * `gatehouse canary report ROUTE --config FILE`: the comparison report read from the configured
 * store (the counts every replica writes). Promotion and rollback are admin routes, not CLI actions:
 * they need an approver and the two-person rule.
 */
export async function runCanaryCommand(
  argv: string[],
  out = (t: string) => process.stdout.write(t),
): Promise<number> {
  const args = parseArgs(argv, ['json']);
  const [sub, route] = args.positionals;
  const file = flagString(args, 'config');
  if (sub !== 'report' || route === undefined || file === undefined) {
    process.stderr.write(`usage: gatehouse ${CANARY_USAGE}\n`);
    return 2;
  }
  const config = loadConfigFile(file);
  const s = config.store;
  if (s.kind !== 'redis') {
    // The memory store lives inside the gateway process: only its admin route can read it.
    process.stderr.write(
      'canary report: the config uses the memory store; read GET /admin/v1/canaries/ROUTE instead\n',
    );
    return 1;
  }
  const store = createRedisStore({ url: resolveSecret(s.url), prefix: s.prefix, commandTimeoutMs: 5_000 });
  try {
    const redis = store.redis();
    if (redis.status !== 'ready')
      await Promise.race([
        once(redis, 'ready'),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('Redis did not answer within 5 s')), 5_000).unref(),
        ),
      ]);
    const report = await storeReport(config, store, route);
    out(args.flags.get('json') === true ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.comparison.verdict === 'fail' ? 3 : 0;
  } finally {
    await store.close();
  }
}
