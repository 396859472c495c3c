import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ResilienceConfig } from '../../config/schema/resilience.js';
import type { AtomicScripts } from '../../store/types.js';
import type { JobPayload, JobState, JobStatus } from './job.js';
import { parseState } from './job.js';
import { FINISH, PROMOTE, TAKE } from './lua.js';

type QueueConfig = ResilienceConfig['queue'];

interface QueueCommands {
  ghQTake(key: string, owner: string, now: number, leaseMs: number): Promise<string | null>;
  ghQFinish(
    key: string,
    owner: string,
    now: number,
    status: string,
    result: string,
    ttlMs: number,
  ): Promise<number>;
  ghQPromote(delayed: string, stream: string, now: number, max: number): Promise<number>;
}

export const GROUP = 'gatehouse';

/**
 * The durable contingency queue on Redis Streams (keys under one {q} hash tag): `stream` holds job
 * ids for the consumer group, `delayed` (a sorted set by due time) holds jobs waiting out their
 * backoff, `dead` is the dead-letter stream, and each job has its state and its payload keys.
 */
export class JobQueue {
  readonly stream: string;
  readonly dead: string;
  readonly delayed: string;
  private readonly cmd: Redis & QueueCommands;

  constructor(
    scripts: AtomicScripts,
    readonly cfg: QueueConfig,
  ) {
    const p = `${scripts.prefix}{q}:`;
    this.stream = `${p}stream`;
    this.dead = `${p}dead`;
    this.delayed = `${p}delayed`;
    const c = scripts.connection();
    if (!('ghQTake' in c)) {
      c.defineCommand('ghQTake', { numberOfKeys: 1, lua: TAKE });
      c.defineCommand('ghQFinish', { numberOfKeys: 1, lua: FINISH });
      c.defineCommand('ghQPromote', { numberOfKeys: 2, lua: PROMOTE });
    }
    this.cmd = c as Redis & QueueCommands;
    this.prefix = p;
  }
  private readonly prefix: string;
  private stateKey = (id: string) => `${this.prefix}job:${id}`;
  private payloadKey = (id: string) => `${this.prefix}payload:${id}`;

  /** Accepts a job; null when the queue is at `maxJobs`. */
  async enqueue(p: Omit<JobPayload, 'id' | 'createdAt'>, now: number): Promise<JobPayload | null> {
    const pending = (await this.cmd.xlen(this.stream)) + (await this.cmd.zcard(this.delayed));
    if (pending >= this.cfg.maxJobs) return null;
    const payload: JobPayload = { ...p, id: `job_${randomUUID()}`, createdAt: now };
    const state: JobState = {
      id: payload.id,
      status: 'queued',
      attempts: 0,
      owner: null,
      leaseUntil: 0,
      updatedAt: now,
      result: null,
    };
    const ttl = this.cfg.resultTtlMs;
    await this.cmd
      .multi()
      .set(this.payloadKey(payload.id), JSON.stringify(payload), 'PX', ttl)
      .set(this.stateKey(payload.id), JSON.stringify(state), 'PX', ttl)
      .xadd(this.stream, 'MAXLEN', '~', String(this.cfg.maxJobs * 2), '*', 'job', payload.id)
      .exec();
    return payload;
  }

  async state(id: string): Promise<JobState | null> {
    return parseState(await this.cmd.get(this.stateKey(id)));
  }

  async payload(id: string): Promise<JobPayload | null> {
    const raw = await this.cmd.get(this.payloadKey(id));
    return raw === null ? null : (JSON.parse(raw) as JobPayload);
  }

  /** Takes the job for this replica (queued, or running with an expired lease); null when someone else has it. */
  async take(id: string, owner: string, now: number, leaseMs: number): Promise<JobState | null> {
    return parseState(await this.cmd.ghQTake(this.stateKey(id), owner, now, leaseMs));
  }

  /** Records the end (or the release back to `queued`) if this replica still holds the lease. */
  async finish(id: string, owner: string, now: number, status: JobStatus, result: unknown): Promise<boolean> {
    const text = result === undefined ? '' : JSON.stringify(result);
    return (
      (await this.cmd.ghQFinish(this.stateKey(id), owner, now, status, text, this.cfg.resultTtlMs)) === 1
    );
  }

  async delay(id: string, due: number): Promise<void> {
    await this.cmd.zadd(this.delayed, due, id);
  }

  async deadLetter(id: string, reason: string): Promise<void> {
    await this.cmd.xadd(this.dead, 'MAXLEN', '~', String(this.cfg.maxJobs), '*', 'job', id, 'reason', reason);
  }

  async ack(entry: string): Promise<void> {
    await this.cmd.xack(this.stream, GROUP, entry);
  }

  async promote(now: number): Promise<number> {
    return this.cmd.ghQPromote(this.delayed, this.stream, now, 100);
  }

  async ensureGroup(): Promise<void> {
    try {
      await this.cmd.xgroup('CREATE', this.stream, GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String(err).includes('BUSYGROUP')) throw err;
    }
  }
}
