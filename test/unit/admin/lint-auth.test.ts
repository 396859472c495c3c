import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { lintAdmin } from '../../../src/admin/lint.js';
import { createOperatorAuthenticator } from '../../../src/admin/operator-auth.js';
import { createSessionStore } from '../../../src/admin/sessions.js';
import { parseConfig } from '../../../src/config/load.js';
import { generateApiKey, hashApiKey } from '../../../src/formats/api-key.js';
import { createMemoryStore } from '../../../src/store/memory.js';

const route = (tier: 1 | 2 | 3) => ({
  alias: 'r',
  tier,
  upstream: {
    provider: 'openai' as const,
    url: 'http://127.0.0.1:9',
    model: 'm-2025-01-01',
    zone2Colocated: true,
  },
});
const adminKey = generateApiKey('gha_');
const keyEntry = {
  id: adminKey.id,
  hash: hashApiKey(adminKey.key, undefined),
  operator: 'ci-bot',
  roles: ['operator'],
};

describe('admin lint', () => {
  it('admin API keys only at tier 1', () => {
    const ok = parseConfig({ routes: [route(1)], admin: { enabled: true, apiKeys: [keyEntry] } });
    expect(lintAdmin(ok).filter((f) => typeof f === 'string')).toEqual([]);
    const t2 = parseConfig({ routes: [route(2)], admin: { enabled: true, apiKeys: [keyEntry] } });
    expect(lintAdmin(t2).join('\n')).toContain('admin.apiKeys are allowed at tier 1 only');
  });

  it('its own port, TLS off loopback, certificates need a client CA', () => {
    const cfg = parseConfig({
      server: { port: 8090 },
      admin: {
        enabled: true,
        host: '0.0.0.0',
        certificates: [{ operator: 'x', roles: ['admin'], subjects: ['x'] }],
      },
    });
    const text = lintAdmin(cfg).join('\n');
    expect(text).toContain("data plane's port");
    expect(text).toContain('needs admin.tls');
    expect(text).toContain('admin.tls.clientCa');
  });
});

describe('operator authentication', () => {
  const cfg = parseConfig({ admin: { enabled: true, apiKeys: [keyEntry] } }).admin;
  const auth = createOperatorAuthenticator(
    cfg,
    null,
    createSessionStore(createMemoryStore(), { idleSec: 60, maxSec: 600 }),
  );
  const req = (headers: Record<string, string>) =>
    ({ headers, socket: { remoteAddress: '127.0.0.1' } }) as unknown as IncomingMessage;

  it('accepts an admin key and maps its operator and roles', async () => {
    const r = await auth(req({ authorization: `Bearer ${adminKey.key}` }));
    expect(r.operator).toEqual({ id: 'ci-bot', roles: ['operator'], via: 'key' });
  });

  it('refuses a data-plane key, a tampered admin key and a JWT without an OIDC issuer', async () => {
    const data = generateApiKey('ghk_').key;
    await expect(auth(req({ authorization: `Bearer ${data}` }))).rejects.toMatchObject({
      code: 'GH_ERR_ADMIN_AUTH_INVALID',
    });
    const tampered = `${adminKey.key.slice(0, 20)}${adminKey.key[20] === 'a' ? 'b' : 'a'}${adminKey.key.slice(21)}`;
    await expect(auth(req({ authorization: `Bearer ${tampered}` }))).rejects.toMatchObject({
      code: 'GH_ERR_ADMIN_AUTH_INVALID',
    });
    await expect(auth(req({ authorization: 'Bearer a.b.c' }))).rejects.toMatchObject({
      code: 'GH_ERR_ADMIN_AUTH_INVALID',
    });
    await expect(auth(req({}))).rejects.toMatchObject({ code: 'GH_ERR_ADMIN_AUTH_MISSING' });
  });
});
