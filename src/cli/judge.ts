import { buildRuntime, closeAll } from '../boot/build-runtime.js';
import { lintConfig } from '../boot/lint.js';
import { loadConfigFile } from '../config/load.js';
import { judgeFeature } from '../judge/feature.js';
import { JUDGE } from '../judge/slots.js';
import { flagString, parseArgs } from './args.js';

/**
 * `gatehouse judge --config FILE`: Judge workers only, in a process of their own that scales apart
 * from the gateway (run the gateway with `judge.workers.inProcess: false`). It needs the Redis
 * store: the queue and the review queue are shared through it. Stops on SIGTERM/SIGINT; a record
 * being judged then is left pending and another worker takes it over.
 */
export async function runJudgeCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const file = flagString(args, 'config') ?? process.env.GATEHOUSE_CONFIG;
  if (file === undefined) {
    process.stderr.write('gatehouse judge: --config FILE is required\n');
    return 2;
  }
  const config = loadConfigFile(file);
  const problems = lintConfig(config);
  if (problems.length > 0) {
    process.stderr.write(
      `gatehouse judge: configuration refused:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`,
    );
    return 1;
  }
  if (!config.judge.enabled) {
    process.stderr.write('gatehouse judge: judge.enabled is false\n');
    return 1;
  }
  if (config.store.kind !== 'redis') {
    process.stderr.write(
      'gatehouse judge: a separate Judge process needs store.kind redis (the queue is shared through it)\n',
    );
    return 1;
  }
  const { rt } = await buildRuntime(config, { features: [judgeFeature], stages: [] });
  JUDGE.require(rt).startWorkers();
  process.stdout.write(`gatehouse judge: ${config.judge.workers.concurrency} workers running\n`);
  const sig = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  process.stderr.write(`gatehouse judge: ${sig}, stopping\n`);
  await closeAll(rt.closers, rt.logger);
  return 0;
}
