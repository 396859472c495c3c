import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { loadConfigFile } from '../config/load.js';
import { resolveSecret } from '../config/secrets.js';
import { type RevocationKind, revocationId, revokeInStore } from '../edge/auth/revocation.js';
import { createKeyParser, generateApiKey, hashApiKey } from '../formats/api-key.js';
import { createRedisStore } from '../store/redis.js';
import { flagString, type ParsedArgs, parseArgs } from './args.js';

/** Where the command writes; the CLI uses the process streams, tests capture. */
export interface KeysIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: KeysIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

const USAGE = `usage:
  gatehouse keys create --consumer NAME [--expires 30d|ISO-DATE] [--pepper '\${ENV}'] [--prefix ghk_]
  gatehouse keys revoke (--id KEY_ID | --consumer NAME (--session ID | --agent ID)) [--ttl 90d]
                        [--config FILE | --redis URL [--redis-prefix gh:]]
  gatehouse keys check KEY         verify a candidate key's prefix and checksum offline
  gatehouse keys keypair           print a new Ed25519 private key (PEM) for auth.sessions.signingKey
`;

const UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30d`, `12h`, `90m` → ms; null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const [, n, unit] = /^(\d+)([smhd])$/.exec(text) ?? [];
  const ms = unit === undefined ? undefined : UNITS[unit];
  return n === undefined || ms === undefined ? null : Number(n) * ms;
}

function expiryFrom(text: string, now: number): string {
  const ms = parseDuration(text);
  if (ms !== null) return new Date(now + ms).toISOString();
  const t = Date.parse(text);
  if (Number.isNaN(t) || t <= now) throw new Error('--expires must be a duration (30d) or a future ISO date');
  return new Date(t).toISOString();
}

type Sub = (args: ParsedArgs, io: KeysIo) => Promise<number>;

const create: Sub = async (args, io) => {
  const consumer = flagString(args, 'consumer');
  if (consumer === undefined || !/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/.test(consumer)) {
    io.err('keys create: --consumer NAME is required (letters, digits, . _ : @ -)\n');
    return 2;
  }
  const prefix = flagString(args, 'prefix') ?? 'ghk_';
  const pepperRef = flagString(args, 'pepper');
  const expires = flagString(args, 'expires');
  const { key, id } = generateApiKey(prefix);
  const hash = hashApiKey(key, pepperRef === undefined ? undefined : resolveSecret(pepperRef));
  const lines = [`      - id: ${id}`, `        hash: ${hash}`];
  if (expires !== undefined) lines.push(`        expiresAt: '${expiryFrom(expires, Date.now())}'`);
  io.out(
    [
      `# API key for consumer "${consumer}". It is shown once: hand it over now, it cannot be recovered.`,
      key,
      '',
      '# Add under auth.consumers in gatehouse.yaml (the hash is not a secret):',
      'auth:',
      '  consumers:',
      `    - name: ${consumer}`,
      '      apiKeys:',
      ...lines,
      '',
    ].join('\n'),
  );
  return 0;
};

async function withStore(
  args: ParsedArgs,
  io: KeysIo,
  fn: (s: ReturnType<typeof createRedisStore>) => Promise<void>,
) {
  const file = flagString(args, 'config');
  let url = flagString(args, 'redis') ?? process.env.GATEHOUSE_REDIS_URL;
  let prefix = flagString(args, 'redis-prefix') ?? 'gh:';
  if (file !== undefined) {
    const store = loadConfigFile(file).store;
    if (store.kind === 'redis') {
      url = resolveSecret(store.url);
      prefix = store.prefix;
    }
  }
  if (url === undefined) {
    io.err(
      'keys revoke: no Redis store given (--config with store.kind redis, --redis URL or GATEHOUSE_REDIS_URL).\n' +
        'With the in-memory store, set `revoked: true` on the key in gatehouse.yaml and restart, or use the admin API.\n',
    );
    return 2;
  }
  const store = createRedisStore({ url, prefix, commandTimeoutMs: 5_000 });
  try {
    // The store does not queue commands while connecting: wait for the connection first.
    const redis = store.redis();
    if (redis.status !== 'ready')
      await Promise.race([
        once(redis, 'ready'),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('Redis did not answer within 5 s')), 5_000).unref(),
        ),
      ]);
    await fn(store);
  } finally {
    await store.close();
  }
  return 0;
}

const revoke: Sub = async (args, io) => {
  const id = flagString(args, 'id');
  const consumer = flagString(args, 'consumer');
  const session = flagString(args, 'session');
  const agent = flagString(args, 'agent');
  let target: [RevocationKind, string] | null = null;
  if (id !== undefined && session === undefined && agent === undefined) target = ['key', id];
  else if (consumer !== undefined && session !== undefined && agent === undefined)
    target = ['session', revocationId(consumer, session)];
  else if (consumer !== undefined && agent !== undefined && session === undefined)
    target = ['agent', revocationId(consumer, agent)];
  if (target === null) {
    io.err(`keys revoke: give --id, or --consumer with one of --session / --agent\n${USAGE}`);
    return 2;
  }
  // Key revocations never lapse by default; session and agent ones outlive any session token (24 h max).
  const ttlText = flagString(args, 'ttl');
  const ttl = ttlText === undefined ? (target[0] === 'key' ? 0 : 86_460_000) : parseDuration(ttlText);
  if (ttl === null) {
    io.err('keys revoke: --ttl must be a duration such as 90d\n');
    return 2;
  }
  const [kind, value] = target;
  const code = await withStore(args, io, (store) => revokeInStore(store, kind, value, ttl));
  if (code === 0) io.out(`revoked ${kind} ${value}${ttl > 0 ? ` for ${ttlText ?? `${ttl / 1000}s`}` : ''}\n`);
  return code;
};

const check: Sub = async (args, io) => {
  const key = args.positionals[1];
  const prefix = flagString(args, 'prefix') ?? 'ghk_';
  if (key === undefined) {
    io.err('keys check: give the candidate key\n');
    return 2;
  }
  const parsed = createKeyParser(prefix)(key);
  if (!parsed.ok) {
    io.out('not a valid gatehouse key (prefix, length or checksum)\n');
    return 1;
  }
  io.out(`valid gatehouse key format, id ${parsed.id}\n`);
  return 0;
};

const keypair: Sub = async (_args, io) => {
  const { privateKey } = generateKeyPairSync('ed25519');
  io.out(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
  return 0;
};

const SUBCOMMANDS: Readonly<Record<string, Sub>> = { create, revoke, check, keypair };

export async function keysCommand(argv: string[], io: KeysIo): Promise<number> {
  const args = parseArgs(argv);
  const sub = SUBCOMMANDS[args.positionals[0] ?? ''];
  if (sub === undefined) {
    io.err(USAGE);
    return 2;
  }
  try {
    return await sub(args, io);
  } catch (err) {
    io.err(`keys: ${(err as Error).message}\n`);
    return 1;
  }
}

/** `gatehouse keys ...` (wired into the CLI dispatcher by src/cli/main.ts). */
export function runKeysCommand(argv: string[]): Promise<number> {
  return keysCommand(argv, processIo);
}
