import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatehouseConfigInput } from '../../../src/config/schema/index.js';
import { DEMO_MODEL_ID } from '../../../src/demo/upstream.js';
import { demoApiKey } from '../../../src/edge/auth/demo.js';
import type { AdminRequest, AdminRouteDef } from '../../../src/pipeline/admin.js';
import type { Runtime } from '../../../src/pipeline/runtime.js';
import { demoRoute } from '../../helpers/gateway.js';

export const CANARY_MODEL = 'gatehouse-demo-2026-02-01';

/** Many consumers (the split is sticky per consumer), each with its own key. */
export function consumers(n: number) {
  const list = Array.from({ length: n }, (_, i) => demoApiKey(`c${i}`));
  const consumerConfigs = list.flatMap((d) => (d.auth as { consumers: unknown[] }).consumers);
  return {
    keys: list.map((d) => d.key),
    auth: { consumers: consumerConfigs } as GatehouseConfigInput['auth'],
  };
}

/** Routes `demo` (baseline) and `demo-next` (the canary deployment, a newer pinned model) to one upstream. */
export function canaryConfig(
  url: string,
  auth: GatehouseConfigInput['auth'],
  canary: Record<string, unknown> = {},
  top: Record<string, unknown> = {},
  auditFile?: string,
): GatehouseConfigInput {
  const next = demoRoute(url, { alias: 'demo-next' });
  return {
    auth,
    ...(auditFile !== undefined && { telemetry: { audit: { sinks: [{ kind: 'file', path: auditFile }] } } }),
    routes: [demoRoute(url), { ...next, upstream: { ...next.upstream, model: CANARY_MODEL } }],
    canary: {
      maxWeight: 100,
      evaluateMs: 50,
      pollMs: 200,
      routes: [{ route: 'demo', deployment: 'demo-next', weight: 50, gates: { minSamples: 30 }, ...canary }],
      ...top,
    },
  } as GatehouseConfigInput;
}

/** An upstream hook that answers the canary's model with `text` (the baseline keeps the demo answer). */
export function canaryAnswers(text: string) {
  return (_req: IncomingMessage, body: Record<string, unknown>, res: ServerResponse): boolean => {
    if (body.model !== CANARY_MODEL) return false;
    const words = text.split(' ').length;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'cmpl-canary',
        object: 'chat.completion',
        created: 1_767_225_600,
        model: CANARY_MODEL,
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: words, total_tokens: 10 + words },
      }),
    );
    return true;
  };
}

export { DEMO_MODEL_ID };

/** Calls an admin route's handler directly, as the admin listener (issue 15) would after its checks. */
export function adminCall(
  routes: readonly AdminRouteDef[],
  rt: Runtime,
  method: AdminRouteDef['method'],
  path: string,
  params: Record<string, string>,
  body: unknown = {},
  roles: AdminRequest['operator']['roles'] = ['approver'],
) {
  const def = routes.find((r) => r.method === method && r.path === path);
  if (def === undefined) throw new Error(`no admin route ${method} ${path}`);
  return def.create(rt)({
    params,
    query: new URLSearchParams(),
    body,
    operator: { id: 'alice', roles, via: 'key' },
    reason: 'test',
    requestId: 'req-test',
  });
}

/**
 * Requests from every consumer in turn (20 at a time) through the official client; the status of
 * each (a refusal is an `APIError` with its status), in the order the consumers were called.
 */
export async function trafficFrom(
  url: string,
  apiKeys: readonly string[],
  requests: number,
  text = 'hello there',
): Promise<Array<{ consumer: number; status: number }>> {
  const { default: OpenAI, APIError } = await import('openai');
  const clients = apiKeys.map((k) => new OpenAI({ baseURL: `${url}/v1`, apiKey: k, maxRetries: 0 }));
  const out: Array<{ consumer: number; status: number }> = [];
  for (let i = 0; i < requests; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, requests - i) }, async (_, j) => {
        const consumer = (i + j) % clients.length;
        const c = clients[consumer];
        if (c === undefined) return;
        try {
          await c.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: text }] });
          out.push({ consumer, status: 200 });
        } catch (err) {
          if (!(err instanceof APIError)) throw err;
          out.push({ consumer, status: err.status ?? 0 });
        }
      }),
    );
  }
  return out;
}

/** A chat completion answer with `text` and its word count as the output tokens. */
export function answerWith(res: ServerResponse, model: string, text: string): void {
  const words = text.split(' ').length;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: 'cmpl-test',
      object: 'chat.completion',
      created: 1_767_225_600,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: words, total_tokens: 10 + words },
    }),
  );
}
