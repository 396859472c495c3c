import type { Logger } from 'pino';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { ModelEndpoint } from '../../formats/provider.js';
import type { RequestContext } from '../../pipeline/context.js';
import type { Runtime, RuntimeRoute } from '../../pipeline/runtime.js';
import { completionStagesKey } from '../../pipeline/upstream-policy.js';
import { type JobPayload, type JobState, publicView } from './job.js';
import { JobQueue } from './queue.js';
import { REPLAYING } from './replay.js';
import { startWorker } from './worker.js';

export interface JobsService {
  /** Contingency: accept the request (202 + job id); false when the route or request cannot be queued. */
  enqueue(ctx: RequestContext, route: RuntimeRoute): Promise<boolean>;
  /** The job as its consumer may see it, or null (unknown, expired, or another consumer's). */
  view(id: string, consumer: string): Promise<Record<string, unknown> | null>;
  state(id: string): Promise<JobState | null>;
  payload(id: string): Promise<JobPayload | null>;
}

/** `x-gatehouse-callback` must sit under one allowlisted URL: same origin, path under its path. */
function allowed(callback: string, allowlist: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(callback);
  } catch {
    return false;
  }
  if (u.username !== '' || u.password !== '') return false;
  return allowlist.some((entry) => {
    const a = new URL(entry);
    return a.origin === u.origin && u.pathname.startsWith(a.pathname);
  });
}

/**
 * The contingency queue (Redis stores only: it must outlive the gateway process). Built when some
 * route sets `contingency.queue`; every replica runs one worker in the consumer group.
 */
export function buildJobs(
  rt: Runtime,
  replica: string,
  held: (route: string) => boolean,
  log: Logger,
): JobsService | null {
  const cfg = rt.config.resilience;
  const queued = Object.entries(cfg.routes).filter(([, r]) => r.contingency.queue);
  const scripts = rt.store.scripts;
  const pubsub = rt.store.pubsub;
  if (queued.length === 0) return null;
  if (scripts === undefined || pubsub === undefined) {
    log.warn(
      { event: 'queue.unavailable' },
      'contingency.queue needs the Redis store: requests are refused instead',
    );
    return null;
  }
  const queue = new JobQueue(scripts, cfg.queue);
  const conn = pubsub.dedicatedConnection({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  conn.on('error', () => {});
  const stop = startWorker({
    rt,
    queue,
    cfg: cfg.queue,
    replica,
    conn,
    completion: () => completionStagesKey.get(rt) ?? [],
    held,
    log,
  });
  rt.closers.push(stop);
  const allowlists = new Map(queued.map(([alias, r]) => [alias, r.contingency.callbackAllowlist]));

  return {
    async enqueue(ctx, route) {
      const allow = allowlists.get(route.alias);
      // Streams cannot be answered later; replays retry rather than queue again.
      if (
        allow === undefined ||
        ctx.stream ||
        REPLAYING.has(ctx) ||
        ctx.identity === null ||
        ctx.body === null
      )
        return false;
      const cbHeader = ctx.req.headers['x-gatehouse-callback'];
      const callback = typeof cbHeader === 'string' ? cbHeader : null;
      if (callback !== null && !allowed(callback, allow))
        throw new GatehouseError('GH_ERR_CALLBACK_NOT_ALLOWED');
      let job: JobPayload | null;
      try {
        job = await queue.enqueue(
          {
            route: route.alias,
            endpoint: ctx.endpoint as ModelEndpoint,
            body: ctx.body,
            identity: ctx.identity,
            callback,
            requestId: ctx.requestId,
          },
          Date.now(),
        );
      } catch (err) {
        throw new GatehouseError('GH_ERR_QUEUE_FULL', { cause: err, headers: { 'retry-after': '30' } });
      }
      if (job === null) throw new GatehouseError('GH_ERR_QUEUE_FULL', { headers: { 'retry-after': '30' } });
      ctx.responseHeaders.location = `/v1/gatehouse/jobs/${job.id}`;
      ctx.upstream = {
        status: 202,
        json: { id: job.id, object: 'gatehouse.job', status: 'queued', model: route.alias },
        stream: null,
      };
      log.info(
        { event: 'queue.job_accepted', job: job.id, route: route.alias, request_id: ctx.requestId },
        'request queued',
      );
      return true;
    },
    async view(id, consumer) {
      const [s, p] = await Promise.all([queue.state(id), queue.payload(id)]);
      if (s === null || p === null || p.identity.consumer !== consumer) return null;
      return publicView(s, p);
    },
    state: (id) => queue.state(id),
    payload: (id) => queue.payload(id),
  };
}
