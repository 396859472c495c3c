import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { request } from 'undici';
import type { ResilienceConfig } from '../../config/schema/resilience.js';
import type { Stage } from '../../pipeline/context.js';
import type { Runtime } from '../../pipeline/runtime.js';
import { backoffMs } from '../upstream/classify.js';
import { type JobPayload, publicView } from './job.js';
import { GROUP, type JobQueue } from './queue.js';
import { replay } from './replay.js';

/** Failures worth another attempt later: the upstream side (5xx, 429), never the request itself (4xx). */
const retryable = (status: number) => status >= 500 || status === 429;

export interface WorkerDeps {
  readonly rt: Runtime;
  readonly queue: JobQueue;
  readonly cfg: ResilienceConfig['queue'];
  readonly replica: string;
  /** The blocking connection of this worker (XREADGROUP BLOCK holds it). */
  readonly conn: Redis;
  readonly completion: () => readonly Stage[];
  /** True while the route's primary cannot take work (breaker open or switched off): jobs wait. */
  readonly held: (route: string) => boolean;
  readonly log: Logger;
}

type Entries = Array<[string, string[]]>;

/**
 * One worker per replica in the consumer group. Each entry is one job id; a job is taken under a
 * lease (exactly one worker runs it and records its result), replayed through the full pipeline,
 * then acknowledged. A replica that dies (SIGKILL) leaves its entries pending: after `claimIdleMs`
 * another replica claims them (XAUTOCLAIM) and, once the dead worker's lease expired, runs them.
 * A failed attempt goes to the delayed set with a jittered exponential backoff; after `maxAttempts`
 * the job is dead-lettered.
 */
export function startWorker(d: WorkerDeps): () => Promise<void> {
  const { queue, cfg, replica, conn, log } = d;
  let stopped = false;
  let lastClaim = 0;

  const deliver = async (p: JobPayload) => {
    if (p.callback === null) return;
    const state = await queue.state(p.id);
    if (state === null) return;
    try {
      const res = await request(p.callback, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'gatehouse-queue' },
        body: JSON.stringify(publicView(state, p)),
        headersTimeout: 5_000,
        bodyTimeout: 5_000,
      });
      await res.body.dump();
      log.info({ event: 'queue.callback', job: p.id, status: res.statusCode }, 'job callback delivered');
    } catch (err) {
      log.warn({ event: 'queue.callback_failed', job: p.id, err: String(err) }, 'job callback failed');
    }
  };

  const process1 = async (entry: string, id: string) => {
    const p = await queue.payload(id);
    if (p === null) {
      await queue.ack(entry); // expired or unknown: nothing to do
      return;
    }
    if (d.held(p.route)) {
      // The upstream is still known down: wait without spending an attempt.
      await queue.delay(id, Date.now() + cfg.baseBackoffMs);
      await queue.ack(entry);
      return;
    }
    const route = d.rt.routes.get(p.route);
    const leaseMs = (route?.config.timeouts.totalMs ?? 120_000) + 5_000;
    const s = await queue.take(id, replica, Date.now(), leaseMs);
    if (s === null) {
      // Someone else holds it (or it is finished): this entry is not ours to run.
      const cur = await queue.state(id);
      if (cur === null || cur.status !== 'running') await queue.ack(entry);
      return;
    }
    const r = await replay(d.rt, p, d.completion());
    const now = Date.now();
    if (r.status < 400 || !retryable(r.status)) {
      await queue.finish(id, replica, now, r.status < 400 ? 'done' : 'failed', {
        status: r.status,
        body: r.body,
      });
      await queue.ack(entry);
      log.info(
        { event: 'queue.job_finished', job: id, status: r.status, attempts: s.attempts },
        'queued job finished',
      );
      await deliver(p);
      return;
    }
    if (s.attempts >= cfg.maxAttempts) {
      await queue.finish(id, replica, now, 'dead', { status: r.status, body: r.body });
      await queue.deadLetter(id, r.code ?? String(r.status));
      await queue.ack(entry);
      log.warn(
        { event: 'queue.job_dead', job: id, attempts: s.attempts, code: r.code },
        'queued job dead-lettered',
      );
      await deliver(p);
      return;
    }
    await queue.finish(id, replica, now, 'queued', undefined);
    await queue.delay(id, now + backoffMs(s.attempts, cfg.baseBackoffMs, cfg.maxBackoffMs));
    await queue.ack(entry);
  };

  const handle = async (entries: Entries) => {
    for (const [entry, fields] of entries) {
      const id = fields[1];
      if (stopped) return;
      if (id === undefined) {
        await queue.ack(entry);
        continue;
      }
      try {
        await process1(entry, id);
      } catch (err) {
        log.warn({ event: 'queue.worker_error', job: id, err: String(err) }, 'queue worker error');
      }
    }
  };

  const loop = async () => {
    let ready = false;
    while (!stopped) {
      try {
        if (!ready) {
          await queue.ensureGroup();
          ready = true;
        }
        await queue.promote(Date.now());
        if (Date.now() - lastClaim >= Math.min(cfg.claimIdleMs, 5_000)) {
          lastClaim = Date.now();
          const claimed = (await conn.xautoclaim(
            queue.stream,
            GROUP,
            replica,
            cfg.claimIdleMs,
            '0-0',
            'COUNT',
            20,
          )) as [string, Entries];
          await handle(claimed[1] ?? []);
        }
        const got = (await conn.xreadgroup(
          'GROUP',
          GROUP,
          replica,
          'COUNT',
          5,
          'BLOCK',
          cfg.pollMs,
          'STREAMS',
          queue.stream,
          '>',
        )) as Array<[string, Entries]> | null;
        for (const [, entries] of got ?? []) await handle(entries);
      } catch (err) {
        if (stopped) return;
        ready = false;
        log.debug({ event: 'queue.poll_failed', err: String(err) }, 'queue poll failed');
        await new Promise((r) => setTimeout(r, cfg.pollMs).unref());
      }
    }
  };
  const running = loop();
  return async () => {
    stopped = true;
    conn.disconnect();
    await running.catch(() => {});
  };
}
