import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { lintConfig, lintReport } from '../../../src/boot/lint.js';
import { runLintCommand } from '../../../src/cli/lint.js';
import { parseConfig } from '../../../src/config/load.js';
import type { GatehouseConfigInput } from '../../../src/config/schema/index.js';

type Up = Record<string, unknown>;
const FP = `${'AB:'.repeat(31)}AB`;
/** A config whose auth satisfies the tier rules, so only what a test varies can be reported. */
function cfg(tier: 1 | 2 | 3, up: Up, extra: Partial<GatehouseConfigInput> = {}) {
  return parseConfig({
    server: {
      host: '127.0.0.1',
      tls: { cert: '/c', key: '/k', clientCa: '/ca', clientAuth: 'required' },
    },
    auth: {
      jwt: { issuers: [{ issuer: 'https://idp.example', audience: 'gh' }] },
      consumers: [{ name: 'svc', tier: 3, mtls: { subjects: ['svc'], fingerprints: [FP] } }],
    },
    routes: [
      {
        alias: 'chat',
        tier,
        upstream: { provider: 'vllm', url: 'https://vllm.zone2.svc/v1', model: 'm-2026-01-01', ...up },
      },
    ],
    ...extra,
  });
}
const MTLS = { ca: '/ca.crt', cert: '/client.crt', key: 'file:/client.key' };

describe('upstream TLS lint (the Zone-2 hop)', () => {
  it.each([
    ['tier 1 over plain http', 1, { url: 'http://vllm.zone2.svc/v1' }, []],
    [
      'tier 2 over plain http',
      2,
      { url: 'http://vllm.zone2.svc/v1' },
      [/routes\[0\]\.upstream\.url: tier 2 requires TLS to the upstream/],
    ],
    ['tier 2 over https', 2, {}, []],
    [
      'tier 2 on loopback http without the attestation',
      2,
      { url: 'http://127.0.0.1:8000/v1' },
      [/tier 2 requires TLS/],
    ],
    [
      'tier 2 on loopback http, attested co-located',
      2,
      { url: 'http://127.0.0.1:8000/v1', zone2Colocated: true },
      [],
    ],
    [
      'tier 3 on a Unix socket, attested co-located',
      3,
      { url: 'http://vllm/v1', socketPath: '/run/vllm.sock', zone2Colocated: true },
      [],
    ],
    [
      'a co-location attestation for a remote host',
      2,
      { url: 'http://vllm.zone2.svc/v1', zone2Colocated: true },
      [/zone2Colocated: only a loopback or Unix-socket upstream/, /tier 2 requires TLS/],
    ],
    [
      'tier 3 over https without a client certificate',
      3,
      { tls: { ca: '/ca.crt' } },
      [/routes\[0\]\.upstream\.tls: tier 3 requires mutual TLS/],
    ],
    ['tier 3 over mutual TLS', 3, { tls: MTLS }, []],
    [
      'tier 3 over plain http',
      3,
      { url: 'http://vllm.zone2.svc/v1' },
      [/tier 3 requires TLS to the upstream/],
    ],
    [
      'tls options on an http URL',
      1,
      { url: 'http://vllm.zone2.svc/v1', tls: MTLS },
      [/upstream\.tls: set on a plain http:\/\/ URL/],
    ],
    [
      'an inline client key',
      1,
      { tls: { ...MTLS, key: '-----BEGIN PRIVATE KEY-----\nMIIB...' } },
      [/tls\.key: inline private key/],
    ],
  ] as const)('%s', (_n, tier, up, expected) => {
    const problems = lintConfig(cfg(tier, up));
    expect(problems).toHaveLength(expected.length);
    for (const [i, re] of expected.entries()) expect(problems[i]).toMatch(re);
  });

  it('pins must be SPKI hashes or certificate fingerprints; cert and key go together', () => {
    expect(() => cfg(1, { tls: { pins: ['md5:abc'] } })).toThrow(/sha256\/<base64 SPKI hash>/);
    expect(() => cfg(1, { tls: { cert: '/c.crt' } })).toThrow(/tls.cert and tls.key go together/);
    expect(lintConfig(cfg(3, { tls: { ...MTLS, pins: [FP, `sha256/${'A'.repeat(43)}=`] } }))).toEqual([]);
  });
});

describe('floating model ids', () => {
  const floating = [
    ['openai', 'gpt-4o'],
    ['openai', 'gpt-4.1'],
    ['openai', 'gpt-4o-mini'],
    ['openai', 'o3'],
    ['openai', 'o4-mini'],
    ['openai', 'claude-sonnet-4'],
    ['openai', 'claude-3-5-sonnet'],
    ['openai', 'gemini-2.5-pro'],
    ['openai', 'models/gemini-1.5-flash'],
    ['openai', 'anthropic.claude-3-sonnet'],
    ['openai', 'us.anthropic.claude-3-5-sonnet-20241022'],
  ] as const;
  const always = [
    ['openai', 'claude-3-5-sonnet-latest'],
    ['openai', 'chatgpt-4o-latest'],
    ['ollama', 'llama3:latest'],
    ['ollama', 'llama3'],
    ['openai', 'latest'],
  ] as const;
  const pinned = [
    ['openai', 'gpt-4o-2024-08-06'],
    ['openai', 'gpt-4-0613'],
    ['openai', 'o3-mini-2025-01-31'],
    ['openai', 'claude-3-5-sonnet-20241022'],
    ['openai', 'claude-sonnet-4-20250514'],
    ['openai', 'claude-3-5-sonnet-v2@20241022'],
    ['openai', 'gemini-1.5-pro-002'],
    ['openai', 'anthropic.claude-3-sonnet-20240229-v1:0'],
    ['openai', 'meta.llama3-1-70b-instruct-v1:0'],
    ['vllm', 'meta-llama/Llama-3.1-70B-Instruct'],
    ['vllm', 'openai/gpt-oss-120b'],
    ['ollama', 'llama3.1:8b-instruct-q4_K_M'],
  ] as const;

  it.each(floating)('%s %s: refused at tier 2, a warning at tier 1', (provider, model) => {
    const t2 = lintReport(cfg(2, { provider, model }));
    expect(t2.errors).toEqual([expect.stringMatching(/^routes\[0\]\.upstream\.model: .*dateless .* alias/)]);
    const t1 = lintReport(cfg(1, { provider, model }));
    expect(t1.errors).toEqual([]);
    expect(t1.warnings).toEqual([
      expect.stringMatching(/pin an exact version \(tier 1: allowed, not pinned\)/),
    ]);
  });

  it.each(always)('%s %s: refused at every tier', (provider, model) => {
    expect(lintConfig(cfg(1, { provider, model }))).toEqual([
      expect.stringMatching(/uses "latest"|untagged Ollama/),
    ]);
  });

  it.each(pinned)('%s %s: a pinned id passes at tier 2', (provider, model) => {
    expect(lintReport(cfg(2, { provider, model }))).toEqual({ errors: [], warnings: [] });
  });

  it('the operator can list more floating ids, or attest a vendor-like name is fixed', () => {
    expect(
      lintConfig(cfg(1, { model: 'my-model-v2' }, { lint: { floatingModelIds: ['my-model-v2'] } })),
    ).toEqual([expect.stringMatching(/lint.floatingModelIds/)]);
    expect(lintReport(cfg(2, { model: 'gpt-4o' }, { lint: { pinnedModelIds: ['gpt-4o'] } }))).toEqual({
      errors: [],
      warnings: [],
    });
  });

  it('gatehouse lint prints warnings and still exits 0; problems exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-lintw-'));
    const file = join(dir, 'g.yaml');
    const yaml = (tier: number) =>
      `server: { allowPlaintext: true }\nroutes:\n  - alias: a\n    tier: ${tier}\n    upstream: { provider: openai, url: "http://127.0.0.1:1/v1", model: gpt-4o, zone2Colocated: true }\nauth: { jwt: { issuers: [{ issuer: "https://idp.example", audience: gh }] } }\n`;
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    try {
      writeFileSync(file, yaml(1));
      expect(await runLintCommand(['--config', file])).toBe(0);
      expect(out.join('')).toMatch(
        /warning: routes\[0\]\.upstream\.model: "gpt-4o" is a dateless OpenAI alias/,
      );
      expect(out.join('')).toMatch(/: ok\n/);
      out.length = 0;
      writeFileSync(file, yaml(2));
      expect(await runLintCommand(['--config', file])).toBe(1);
      expect(out.join('')).not.toMatch(/warning:|: ok/);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('per-route maps: one shared check for unknown aliases', () => {
  it.each([
    ['guard.routes', { guard: { routes: { caht: { injection: { action: 'block' } } } } }],
    ['outputGuard.routes', { outputGuard: { routes: { caht: { policy: {} } } } }],
    ['limits.routes', { limits: { routes: { caht: { concurrency: 2 } } } }],
  ] as const)('%s: a typo is refused', (path, extra) => {
    expect(lintConfig(cfg(1, {}, extra as Partial<GatehouseConfigInput>))).toEqual([
      `${path}.caht: no route has this alias`,
    ]);
    const ok = JSON.parse(JSON.stringify(extra).replace('caht', 'chat'));
    expect(lintConfig(cfg(1, {}, ok))).toEqual([]);
  });
});

describe('tier 3 needs a caller with a pinned certificate', () => {
  it('refuses a tier 3 route no pinned tier 3 consumer may use', () => {
    const c = cfg(
      3,
      { tls: MTLS },
      {
        auth: {
          jwt: { issuers: [{ issuer: 'https://idp.example', audience: 'gh' }] },
          consumers: [{ name: 'svc', tier: 3, mtls: { subjects: ['svc'] } }],
        },
      },
    );
    expect(lintConfig(c)).toEqual([
      expect.stringMatching(/route "chat" is tier 3 but no tier 3 consumer .* pins/),
    ]);
  });
});
