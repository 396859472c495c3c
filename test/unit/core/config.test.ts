import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintConfig } from '../../../src/boot/lint.js';
import { ConfigError, parseConfig, parseConfigText } from '../../../src/config/load.js';
import { resolveSecret } from '../../../src/config/secrets.js';

const route = (over: Record<string, unknown> = {}, up: Record<string, unknown> = {}) => ({
  alias: 'chat',
  upstream: {
    provider: 'vllm',
    url: 'http://vllm:8000/v1',
    model: 'meta-llama/Llama-3.1-8B-Instruct@2024-07-23',
    ...up,
  },
  ...over,
});
const base = { server: { allowPlaintext: true } };

function problems(raw: unknown): string[] {
  try {
    return lintConfig(parseConfig(raw));
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
}

describe('configuration', () => {
  it('names the path and the problem', () => {
    expect(problems({ ...base, routes: [route({}, { url: 'not a url' })] })).toEqual([
      'routes[0].upstream.url: expected an http(s) URL',
    ]);
    expect(problems({ ...base, routes: [route({ tier: 4 })] })[0]).toMatch(/^routes\[0\]\.tier: /);
    expect(problems({ ...base, bogus: 1 })[0]).toMatch(/^\(root\): .*bogus/);
  });

  it('reports every problem at once', () => {
    const p = problems({
      ...base,
      routes: [route({}, { model: 'llama3:latest' }), route({ alias: 'chat' }, { apiKey: 'sk-inline' })],
    });
    expect(p.some((x) => x.includes('duplicate alias'))).toBe(true);
  });

  it.each([
    ['latest', { model: 'gpt-4o-latest', provider: 'openai' }, /uses "latest"/],
    ['tagged latest', { model: 'llama3:latest', provider: 'ollama' }, /uses "latest"/],
    ['untagged ollama', { model: 'llama3', provider: 'ollama' }, /untagged Ollama/],
  ])('refuses a floating model id: %s', (_n, up, re) => {
    expect(problems({ ...base, routes: [route({}, up)] }).join('\n')).toMatch(re);
  });

  it('refuses dateless aliases the operator lists', () => {
    const p = problems({
      ...base,
      lint: { floatingModelIds: ['gpt-4o'] },
      routes: [route({}, { provider: 'openai', model: 'gpt-4o' })],
    });
    expect(p.join('\n')).toMatch(/floatingModelIds/);
    expect(
      problems({
        ...base,
        lint: { floatingModelIds: ['gpt-4o'] },
        routes: [route({}, { provider: 'openai', model: 'gpt-4o-2024-08-06' })],
      }),
    ).toEqual([]);
  });

  it('flags inline secrets and accepts references', () => {
    expect(problems({ ...base, routes: [route({}, { apiKey: 'sk-live-123' })] }).join()).toMatch(
      /inline secret/,
    );
    expect(problems({ ...base, routes: [route({}, { apiKey: '${VLLM_KEY}' })] })).toEqual([]);
  });

  it('requires TLS unless plain HTTP is asked for, and keeps plain HTTP on loopback', () => {
    expect(problems({ routes: [route()] }).join()).toMatch(/TLS is required/);
    expect(problems({ server: { allowPlaintext: true, host: '0.0.0.0' }, routes: [route()] }).join()).toMatch(
      /plain HTTP bound to 0\.0\.0\.0/,
    );
  });

  it('freezes the validated config', () => {
    const c = parseConfig({ ...base, routes: [route()] });
    expect(Object.isFrozen(c.routes[0]!.upstream)).toBe(true);
  });

  it('parses YAML and reports YAML errors', () => {
    expect(parseConfigText('server:\n  allowPlaintext: true\nroutes: []\n').server.allowPlaintext).toBe(true);
    expect(() => parseConfigText('a: [1,\n')).toThrow(ConfigError);
  });

  it('resolves ${ENV} and file: secrets and fails closed when missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-sec-'));
    writeFileSync(join(dir, 'k'), 'from-file\n');
    expect(resolveSecret('${GH_T_KEY}', { GH_T_KEY: 'v' })).toBe('v');
    expect(resolveSecret(`file:${join(dir, 'k')}`)).toBe('from-file');
    expect(() => resolveSecret('${GH_T_MISSING}', {})).toThrow(/GH_T_MISSING is not set/);
    expect(() => resolveSecret(`file:${join(dir, 'none')}`)).toThrow(/cannot be read/);
  });
});

describe('gatehouse CLI', () => {
  const cli = join(import.meta.dirname, '../../../src/cli/run.ts');
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 20_000 });

  it('lint prints every problem and exits non-zero', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-lint-'));
    const f = join(dir, 'g.yaml');
    writeFileSync(
      f,
      'routes:\n  - alias: a\n    upstream: { provider: ollama, url: "http://o:11434/v1", model: llama3 }\n  - alias: b\n    upstream: { provider: vllm, url: nope, model: m }\n',
    );
    const r = run(['lint', '--config', f]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('routes[1].upstream.url: expected an http(s) URL');
  });

  it('start exits non-zero on a bad config before binding any port', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const dir = mkdtempSync(join(tmpdir(), 'gh-start-'));
    const f = join(dir, 'g.yaml');
    writeFileSync(
      f,
      `server: { port: ${port}, allowPlaintext: true }\nroutes:\n  - alias: a\n    upstream: { provider: openai, url: "http://x/v1", model: latest }\n`,
    );
    const r = run(['start', '--config', f]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('routes[0].upstream.model');
    // The port is still free: nothing was bound.
    const again = createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((r) => again.close(() => r()));
  });
});
