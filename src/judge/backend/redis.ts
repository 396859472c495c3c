import type { Redis } from 'ioredis';
import type { AtomicScripts, PubSub } from '../../store/types.js';
import type { Finding } from '../types.js';
import {
  type Agreement,
  type BackendLimits,
  type Delivery,
  emptyAgreement,
  type JudgeBackend,
  type Stratum,
} from './types.js';

/**
 * The Judge's state on the Redis store: a stream with one consumer group (`judges`) shared by
 * every worker of every process, so a record is delivered to one worker, stays pending until that
 * worker acknowledges it, and is taken over by another (XPENDING IDLE + XCLAIM) when it was held
 * too long, as after a crash. Every key sits in one `{judge}` hash slot (Redis Cluster).
 *
 * Blocking reads (XREADGROUP BLOCK) run on a connection of their own: the store's command
 * connection carries a short deadline meant for the data plane.
 */
const GROUP = 'judges';

/** Compare-and-set of one finding on its `version` (review actions race between operators). */
const REPLACE = `local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return 0 end
if cjson.decode(cur).version ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1`;

/** Stores a finding once, indexes it by time and trims the oldest beyond the cap, atomically. */
const PUT = `if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if over > 0 then
  local old = redis.call('ZRANGE', KEYS[2], 0, over - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1)
  redis.call('HDEL', KEYS[1], unpack(old))
end
return 1`;

type Fields = string[];
type StreamEntry = [string, Fields];

function dataOf(fields: Fields): string | null {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'r') return fields[i + 1] ?? null;
  return null;
}

export function createRedisBackend(
  scripts: AtomicScripts,
  pubsub: PubSub | undefined,
  limits: BackendLimits,
): JudgeBackend {
  const cmd = scripts.connection();
  const base = `${scripts.prefix}{judge}:`;
  const k = {
    stream: `${base}q`,
    findings: `${base}f`,
    index: `${base}fi`,
    agree: `${base}agree`,
    rec: (id: string) => `${base}r:${id}`,
    done: (id: string) => `${base}done:${id}`,
    spend: (s: Stratum, hour: number) => `${base}spend:${s}:${hour}`,
  };
  // Blocking reads on their own connection; without the pubsub capability, short polls instead.
  const reader: Redis | null =
    pubsub?.dedicatedConnection({ enableOfflineQueue: true, maxRetriesPerRequest: null }) ?? null;
  reader?.on('error', () => {});
  // The group is created on first use, not at boot: the gateway must start (and serve) with
  // Redis down, and a group lost with the stream (FLUSHALL, eviction) is recreated.
  let group: Promise<void> | null = null;
  const ensureGroup = (): Promise<void> => {
    group ??= cmd.xgroup('CREATE', k.stream, GROUP, '0', 'MKSTREAM').then(
      () => {},
      (err: Error) => {
        if (String(err.message).includes('BUSYGROUP')) return;
        group = null;
        throw err;
      },
    );
    return group;
  };
  const grouped = async <T>(fn: () => Promise<T>): Promise<T> => {
    await ensureGroup();
    try {
      return await fn();
    } catch (err) {
      if (String((err as Error).message).includes('NOGROUP')) group = null;
      throw err;
    }
  };

  const entries = (rows: StreamEntry[], deliveries: (id: string) => number): Delivery[] => {
    const out: Delivery[] = [];
    for (const [id, fields] of rows) {
      const data = dataOf(fields);
      if (data !== null) out.push({ entryId: id, data, deliveries: deliveries(id) });
    }
    return out;
  };

  const readNew = async (worker: string, count: number, blockMs: number): Promise<Delivery[]> => {
    const conn = reader ?? cmd;
    const block = reader === null ? [] : ['BLOCK', String(blockMs)];
    const res = (await conn.call(
      'XREADGROUP',
      'GROUP',
      GROUP,
      worker,
      'COUNT',
      String(count),
      ...block,
      'STREAMS',
      k.stream,
      '>',
    )) as Array<[string, StreamEntry[]]> | null;
    if (res === null) {
      if (reader === null) await new Promise((r) => setTimeout(r, Math.min(blockMs, 250)));
      return [];
    }
    return entries(res[0]?.[1] ?? [], () => 1);
  };

  const reclaimIdle = async (worker: string, minIdleMs: number, count: number): Promise<Delivery[]> => {
    const rows = (await cmd.call(
      'XPENDING',
      k.stream,
      GROUP,
      'IDLE',
      String(minIdleMs),
      '-',
      '+',
      String(count),
    )) as Array<[string, string, number, number]>;
    if (rows.length === 0) return [];
    const counts = new Map(rows.map(([id, , , n]) => [id, n + 1]));
    const claimed = (await cmd.call(
      'XCLAIM',
      k.stream,
      GROUP,
      worker,
      String(minIdleMs),
      ...rows.map(([id]) => id),
    )) as Array<StreamEntry | null>;
    const live = claimed.filter((e): e is StreamEntry => e !== null && Array.isArray(e[1]));
    // Entries trimmed from the stream while pending come back empty: acknowledge them away.
    const gone = rows.map(([id]) => id).filter((id) => !live.some(([l]) => l === id));
    if (gone.length > 0) await cmd.xack(k.stream, GROUP, ...gone);
    return entries(live, (id) => counts.get(id) ?? 1);
  };

  const depthOf = async (): Promise<number> => {
    const groups = (await cmd.call('XINFO', 'GROUPS', k.stream)) as unknown[][];
    for (const g of groups) {
      const m = new Map<string, unknown>();
      for (let i = 0; i + 1 < g.length; i += 2) m.set(String(g[i]), g[i + 1]);
      if (m.get('name') !== GROUP) continue;
      const lag = m.get('lag');
      // `lag` is null when Redis cannot tell (after deletions): fall back to the stream length.
      const undelivered = typeof lag === 'number' ? lag : Number(await cmd.xlen(k.stream));
      return undelivered + Number(m.get('pending') ?? 0);
    }
    return 0;
  };

  return {
    async enqueue(data) {
      await ensureGroup();
      await cmd.xadd(k.stream, 'MAXLEN', '~', String(limits.maxLength), '*', 'r', data);
    },
    read: (worker, count, blockMs) => grouped(() => readNew(worker, count, blockMs)),
    reclaim: (worker, minIdleMs, count) => grouped(() => reclaimIdle(worker, minIdleMs, count)),
    async ack(entryId) {
      await cmd.xack(k.stream, GROUP, entryId);
    },
    depth: () => grouped(depthOf),
    async spend(stratum, microUsd, hour) {
      const key = k.spend(stratum, hour);
      const [[, n]] = (await cmd.multi().incrby(key, microUsd).pexpire(key, 7_200_000).exec()) as [
        [Error | null, number],
        unknown,
      ];
      return Number(n);
    },
    async isDone(recordId) {
      return (await cmd.exists(k.done(recordId))) === 1;
    },
    async markDone(recordId, ttlMs) {
      await cmd.set(k.done(recordId), '1', 'PX', ttlMs);
    },
    async putFinding(f, record) {
      const stored = Number(
        await cmd.eval(PUT, 2, k.findings, k.index, f.id, JSON.stringify(f), f.createdAt, limits.maxFindings),
      );
      if (stored === 1 && record !== null && f.recordId !== null)
        await cmd.set(k.rec(f.recordId), record, 'PX', limits.recordTtlMs);
      return stored === 1;
    },
    async getFinding(id) {
      const s = await cmd.hget(k.findings, id);
      return s === null ? null : (JSON.parse(s) as Finding);
    },
    async getRecord(recordId) {
      return cmd.get(k.rec(recordId));
    },
    async scanFindings(offset, scan) {
      const ids = await cmd.zrevrange(k.index, offset, offset + scan - 1);
      if (ids.length === 0) return { findings: [], next: null };
      const rows = await cmd.hmget(k.findings, ...ids);
      const findings = rows.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as Finding);
      return { findings, next: ids.length < scan ? null : offset + scan };
    },
    async replaceFinding(next, expected) {
      return Number(await cmd.eval(REPLACE, 1, k.findings, next.id, expected, JSON.stringify(next))) === 1;
    },
    async addAgreement(rubric, judgePositive, reviewerPositive) {
      const cell = `${rubric}:${judgePositive ? 'j' : '-'}${reviewerPositive ? 'r' : '-'}`;
      await cmd.hincrby(k.agree, cell, 1);
    },
    async agreements() {
      const all = await cmd.hgetall(k.agree);
      const out: Record<string, Agreement> = {};
      for (const [cell, v] of Object.entries(all)) {
        const cut = cell.lastIndexOf(':');
        const rubric = cell.slice(0, cut);
        const a = out[rubric] ?? emptyAgreement();
        const n = Number(v);
        const tag = cell.slice(cut + 1);
        out[rubric] = {
          bothPositive: a.bothPositive + (tag === 'jr' ? n : 0),
          judgeOnly: a.judgeOnly + (tag === 'j-' ? n : 0),
          reviewerOnly: a.reviewerOnly + (tag === '-r' ? n : 0),
          bothNegative: a.bothNegative + (tag === '--' ? n : 0),
        };
      }
      return out;
    },
    async close() {
      reader?.disconnect();
    },
  };
}
