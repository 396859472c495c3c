import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatehouseConfigInput } from '../../../src/config/schema/index.js';
import { demoApiKey } from '../../../src/edge/auth/demo.js';
import { demoRoute, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/oidc-issuer.js';

export interface AdminFixture {
  readonly t: TestGateway;
  readonly idp: TestIssuer;
  readonly admin: string;
  readonly dataKey: string;
  readonly auditFile: string;
  /** A token per role (operator ids are the role names unless given). */
  token(roles: readonly string[], sub?: string): Promise<string>;
  call(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; reason?: string; headers?: Record<string, string> },
    // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers by path
  ): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** A gateway with the admin listener on, an OIDC test issuer and a file audit sink. */
export async function startAdminFixture(
  extra: (upstreamUrl: string, idp: TestIssuer) => Partial<GatehouseConfigInput> = () => ({}),
): Promise<AdminFixture> {
  const idp = await startTestIssuer();
  const demo = demoApiKey('acme');
  const auditFile = join(mkdtempSync(join(tmpdir(), 'gh-admin-')), 'audit.ndjson');
  const t = await startTestGateway({
    config: (url) => ({
      routes: [demoRoute(url)],
      auth: { ...demo.auth, consumers: [...(demo.auth.consumers ?? []), { name: 'globex' }] },
      telemetry: { audit: { sinks: [{ kind: 'file', path: auditFile }] } },
      admin: {
        enabled: true,
        port: 0,
        oidc: { issuer: idp.issuer, audience: idp.audience },
        twoPerson: { proposalTtlSec: 60 },
      },
      limits: { clock: 'local' },
      ...extra(url, idp),
    }),
  });
  const admin = t.gw.adminUrl ?? '';
  const call: AdminFixture['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
    if (o.reason !== undefined) headers['x-gatehouse-reason'] = o.reason;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${admin}${path}`, {
      method,
      headers,
      ...(o.body !== undefined && { body: JSON.stringify(o.body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : JSON.parse(text) };
  };
  return {
    t,
    idp,
    admin,
    dataKey: demo.key,
    auditFile,
    token: (roles, sub) => idp.mint(sub ?? roles.join('+'), roles),
    call,
    close: async () => {
      await t.close();
      await idp.close();
    },
  };
}
