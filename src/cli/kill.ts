import { once } from 'node:events';
import { unlinkSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import pino from 'pino';
import { loadConfigFile } from '../config/load.js';
import { killSwitchSchema } from '../config/schema/resilience.js';
import { resolveSecret } from '../config/secrets.js';
import { checkKillRequest } from '../resilience/killswitch/entry.js';
import { createKillSwitch } from '../resilience/killswitch/service.js';
import { createRedisStore } from '../store/redis.js';
import { flagString, parseArgs } from './args.js';

export interface KillIo {
  out(text: string): void;
  err(text: string): void;
}

const USAGE = `usage:
  gatehouse kill --scope all|route|consumer|deployment|tool [--target NAME] --reason TEXT [--by NAME]
                 [--config FILE | --redis URL [--redis-prefix gh:]]
  gatehouse kill --release --scope ... [--target NAME] --reason TEXT [--by NAME] [...store]
  gatehouse kill --status [...store]
  gatehouse kill --file PATH [--scope ... --target ... --reason ...]   write the on-disk flag (no store needed)
  gatehouse kill --file PATH --release --reason TEXT                     remove it
`;

/**
 * `gatehouse kill`: the operator's kill switch from a shell, straight to the store (every replica
 * sees it within a poll, usually at once through pub/sub), or as the file flag when the store itself
 * is unreachable. Who (`--by`, default the OS user) and why (`--reason`, required) go on the entry
 * and on every replica's audit event.
 */
export async function killCommand(argv: string[], io: KillIo): Promise<number> {
  const args = parseArgs(argv, ['release', 'status']);
  const release = args.flags.get('release') === true;
  const status = args.flags.get('status') === true;
  const scope = flagString(args, 'scope') ?? (flagString(args, 'file') !== undefined ? 'all' : undefined);
  const target = flagString(args, 'target');
  const reason = flagString(args, 'reason');
  const by = flagString(args, 'by') ?? `cli:${userInfo().username}`;
  const file = flagString(args, 'file');
  if (!status) {
    const problem = checkKillRequest(scope, target, reason);
    if (problem !== null) {
      io.err(`kill: ${problem}\n${USAGE}`);
      return 2;
    }
  }
  if (file !== undefined) {
    if (release) {
      try {
        unlinkSync(file);
      } catch {
        io.err(`kill: no flag file at ${file}\n`);
        return 1;
      }
      io.out(`released: removed ${file} (${reason})\n`);
      return 0;
    }
    writeFileSync(file, `${JSON.stringify({ scope, target, reason, by })}\n`, { mode: 0o644 });
    io.out(`engaged: wrote ${file}\n`);
    return 0;
  }
  let url = flagString(args, 'redis') ?? process.env.GATEHOUSE_REDIS_URL;
  let prefix = flagString(args, 'redis-prefix') ?? 'gh:';
  const cfgFile = flagString(args, 'config');
  if (cfgFile !== undefined) {
    const store = loadConfigFile(cfgFile).store;
    if (store.kind === 'redis') {
      url = resolveSecret(store.url);
      prefix = store.prefix;
    }
  }
  if (url === undefined) {
    io.err(
      'kill: no Redis store given (--config with store.kind redis, --redis URL or GATEHOUSE_REDIS_URL); use --file PATH without one\n',
    );
    return 2;
  }
  const store = createRedisStore({ url, prefix, commandTimeoutMs: 5_000 });
  const ks = createKillSwitch({
    store,
    config: killSwitchSchema.parse({}),
    logger: pino({ level: 'silent' }),
    watch: false,
  });
  try {
    const redis = store.redis();
    if (redis.status !== 'ready')
      await Promise.race([
        once(redis, 'ready'),
        new Promise((_, reject) =>
          setTimeout(
            () => reject(new Error('Redis did not answer within 5 s; use --file PATH')),
            5_000,
          ).unref(),
        ),
      ]);
    if (status) {
      await ks.refresh();
      io.out(`${JSON.stringify({ engaged: ks.engaged() }, null, 2)}\n`);
      return 0;
    }
    if (release) {
      const ok = await ks.release(scope, target, reason, by);
      io.out(
        ok
          ? `released ${scope}${target ? ` ${target}` : ''}\n`
          : `nothing engaged for ${scope}${target ? ` ${target}` : ''}\n`,
      );
      return ok ? 0 : 1;
    }
    const e = await ks.engage(scope, target, reason, by);
    io.out(`engaged ${e.scope}${e.scope === 'all' ? '' : ` ${e.target}`} by ${e.by}\n`);
    return 0;
  } catch (err) {
    io.err(`kill: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await ks.close();
    await store.close();
  }
}

export function runKillCommand(argv: string[]): Promise<number> {
  return killCommand(argv, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
}
