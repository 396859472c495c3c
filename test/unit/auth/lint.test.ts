import { describe, expect, it } from 'vitest';
import { lintConfig } from '../../../src/boot/lint.js';
import { parseConfig } from '../../../src/config/load.js';
import { lintAuth } from '../../../src/edge/auth/lint.js';

const route = (alias: string, tier: 1 | 2 | 3) => ({
  alias,
  tier,
  upstream: { provider: 'openai', url: 'http://127.0.0.1:9/v1', model: 'm-2024-01-01' },
});
const key = { id: 'AAAAAAAAAA', hash: `sha256:${'0'.repeat(64)}` };

describe('lintAuth (tier rules and hygiene)', () => {
  it('tier 2+ refuses API-key-only authentication', () => {
    const cfg = parseConfig({
      routes: [route('low', 1), route('high', 2)],
      auth: { consumers: [{ name: 'a', apiKeys: [key] }] },
    });
    const problems = lintAuth(cfg);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/route "high" is tier 2 but only API keys/);
    // gatehouse lint and boot run it.
    expect(lintConfig(cfg)).toContain(problems[0]);
  });

  it('an OIDC issuer or mTLS identities satisfy tier 2', () => {
    const withIssuer = parseConfig({
      routes: [route('high', 2)],
      auth: { jwt: { issuers: [{ issuer: 'https://idp.example', audience: 'gh' }] } },
    });
    expect(lintAuth(withIssuer)).toEqual([]);
    const withMtls = parseConfig({
      server: { tls: { cert: '/c', key: '/k', clientCa: '/ca', clientAuth: 'required' } },
      routes: [route('high', 2)],
      auth: { consumers: [{ name: 'svc', mtls: { subjects: ['svc'] } }] },
    });
    expect(lintAuth(withMtls)).toEqual([]);
  });

  it('flags inline signing keys and peppers, accepts references', () => {
    const inline = parseConfig({
      auth: {
        apiKeys: { pepper: 'hunter2' },
        sessions: { enabled: true, signingKey: '-----BEGIN PRIVATE KEY-----' },
        downstream: { mode: 'hmac', signingKey: 'shared' },
      },
    });
    expect(lintAuth(inline)).toEqual([
      expect.stringMatching(/auth.apiKeys.pepper is inline/),
      expect.stringMatching(/auth.sessions.signingKey is inline/),
      expect.stringMatching(/auth.downstream.signingKey is inline/),
    ]);
    const refs = parseConfig({
      auth: {
        apiKeys: { pepper: '${PEPPER}' },
        sessions: { enabled: true, signingKey: 'file:/run/secrets/gh-ed25519.pem' },
      },
    });
    expect(lintAuth(refs)).toEqual([]);
  });

  it('flags consumer aliases no route serves, and certificate identities without client certificates', () => {
    const cfg = parseConfig({
      routes: [route('chat', 1)],
      auth: {
        consumers: [
          { name: 'a', aliases: ['chat', 'ghost'] },
          { name: 'svc', mtls: { subjects: ['svc'] } },
        ],
      },
    });
    expect(lintAuth(cfg)).toEqual([
      expect.stringMatching(/alias "ghost", which no route serves/),
      expect.stringMatching(/does not ask for client certificates/),
    ]);
  });

  it('the schema refuses none/HS* algorithms, plain-http issuers off loopback, duplicate key ids', () => {
    const issuer = (extra: object) => ({
      auth: { jwt: { issuers: [{ issuer: 'https://idp.example', audience: 'a', ...extra }] } },
    });
    expect(() => parseConfig(issuer({ algorithms: ['none'] }))).toThrow();
    expect(() => parseConfig(issuer({ algorithms: ['HS256'] }))).toThrow();
    expect(() =>
      parseConfig({ auth: { jwt: { issuers: [{ issuer: 'http://idp.example', audience: 'a' }] } } }),
    ).toThrow(/https/);
    expect(() =>
      parseConfig({
        auth: {
          consumers: [
            { name: 'a', apiKeys: [key] },
            { name: 'b', apiKeys: [key] },
          ],
        },
      }),
    ).toThrow(/duplicate key id/);
    expect(() => parseConfig({ auth: { sessions: { enabled: true } } })).toThrow(/signingKey/);
  });
});
