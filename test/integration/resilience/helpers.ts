import { randomBytes } from 'node:crypto';
import type { AdminRequest, AdminRouteDef } from '../../../src/pipeline/admin.js';
import type { Runtime } from '../../../src/pipeline/runtime.js';
import { resilienceAdminRoutes } from '../../../src/resilience/admin.js';

export const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** A key prefix of this test's own on the shared Redis. */
export const freshPrefix = (): string => `ghtest:res:${randomBytes(6).toString('hex')}:`;

/** Calls one of the resilience admin handlers directly, as the admin listener would after its checks. */
export async function admin(
  rt: Runtime,
  method: AdminRouteDef['method'],
  path: string,
  body: unknown,
  reason = 'incident INC-42: suspected compromise',
  operator = 'alice',
) {
  const def = resilienceAdminRoutes.find((r) => r.method === method && r.path === path);
  if (def === undefined) throw new Error(`no admin route ${method} ${path}`);
  const req: AdminRequest = {
    params: {},
    query: new URLSearchParams(),
    body,
    operator: { id: operator, roles: ['operator'], via: 'key' },
    reason,
    requestId: 'req_admin',
  };
  return def.create(rt)(req);
}

/** One chat request with fetch: status, code, headers. */
export async function chat(
  url: string,
  headers: Record<string, string>,
  content = 'hello there',
  extra: Record<string, unknown> = {},
): Promise<{ status: number; code: string | null; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content }], ...extra }),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { raw: text };
  }
  const err = body.error as { code?: string } | undefined;
  return { status: res.status, code: err?.code ?? null, headers: res.headers, body };
}
