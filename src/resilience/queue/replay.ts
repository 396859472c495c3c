import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { errorBody, toGatehouseError } from '../../errors/gatehouse-error.js';
import { newRequestId, traceFrom } from '../../formats/trace.js';
import { blankRequestState, type RequestContext, type Stage } from '../../pipeline/context.js';
import type { Runtime } from '../../pipeline/runtime.js';
import type { JobPayload } from './job.js';

const PATHS = {
  chat: '/v1/chat/completions',
  completions: '/v1/completions',
  embeddings: '/v1/embeddings',
} as const;

/** Contexts being replayed from the queue: the policy never queues them again (they retry instead). */
export const REPLAYING = new WeakSet<RequestContext>();

export interface ReplayResult {
  readonly status: number;
  readonly body: unknown;
  /** The error code when it failed (GH_ERR_*), for the retry decision. */
  readonly code: string | null;
}

/**
 * Runs a queued job through the route's whole pipeline again (kill switch, authorisation, caps,
 * limiter, input guard, routing, the upstream policy, output guard) and then the completion stages
 * (settlement, audit), with the identity that was authenticated when the job was accepted. Only the
 * edge stages (authentication, body parsing) are not repeated: their results are the job's payload.
 * The request is local: an in-memory request/response pair that no socket carries.
 */
export async function replay(
  rt: Runtime,
  job: JobPayload,
  completion: readonly Stage[],
): Promise<ReplayResult> {
  const route = rt.routes.get(job.route);
  if (route === undefined) return { status: 404, body: null, code: 'GH_ERR_UNKNOWN_MODEL' };
  const socket = new Socket();
  const req = new IncomingMessage(socket);
  req.method = 'POST';
  req.url = PATHS[job.endpoint];
  req.headers = { 'content-type': 'application/json', 'x-gatehouse-job': job.id };
  const res = new ServerResponse(req);
  const ctx: RequestContext = {
    requestId: newRequestId(),
    trace: traceFrom(undefined),
    req,
    res,
    start: performance.now(),
    startedAt: Date.now(),
    endpoint: job.endpoint,
    abort: new AbortController(),
    sourceIp: job.identity.sourceIp,
    userAgent: 'gatehouse-queue',
    peerCertificate: null,
    identity: job.identity,
    route,
    alias: route.alias,
    body: structuredClone(job.body),
    ...blankRequestState(),
    flags: [`queue:${job.id}`],
  };
  REPLAYING.add(ctx);
  let out: ReplayResult;
  try {
    for (const s of route.stages) await s(ctx);
    const json = ctx.upstream?.json ?? null;
    if (json !== null && typeof json.model === 'string') json.model = route.alias;
    ctx.status = 200;
    ctx.ttftMs = performance.now() - ctx.start;
    out = { status: 200, body: json, code: null };
  } catch (err) {
    const ge = toGatehouseError(err);
    if (!ctx.abort.signal.aborted) ctx.abort.abort(ge);
    ctx.error = ge;
    ctx.status = ge.status;
    out = { status: ge.status, body: JSON.parse(errorBody(ge, ctx.requestId)), code: ge.code };
  }
  for (const s of completion) {
    try {
      await s(ctx);
    } catch (err) {
      rt.logger.error({ err, request_id: ctx.requestId }, 'completion stage failed on a replayed job');
    }
  }
  res.emit('close');
  socket.destroy();
  return out;
}
