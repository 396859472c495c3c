import { describe, expect, it } from 'vitest';
import { lintConfig } from '../../../src/boot/lint.js';
import { parseConfig } from '../../../src/config/load.js';
import { limitsLint } from '../../../src/edge/limits/lint.js';

const route = {
  alias: 'chat',
  upstream: { provider: 'openai', url: 'http://127.0.0.1:1/v1', model: 'm-2026-01-01' },
};
const cfg = (limits: Record<string, unknown>, store: Record<string, unknown> = { kind: 'memory' }) =>
  parseConfig({ server: { allowPlaintext: true }, routes: [route], store, limits });

describe('limits lint', () => {
  it('refuses several replicas on the per-process memory store', () => {
    expect(limitsLint(cfg({ replicas: 3 }))).toEqual([
      'limits.replicas: 3 replicas need store.kind: redis (the memory store keeps limits per process)',
    ]);
    expect(limitsLint(cfg({ replicas: 3 }, { kind: 'redis', url: 'redis://127.0.0.1:6379' }))).toEqual([]);
  });

  it('refuses overrides for an alias no route serves (the shared route-key check)', () => {
    expect(lintConfig(cfg({ routes: { chta: { concurrency: 2 } } }))).toEqual([
      'limits.routes.chta: no route has this alias',
    ]);
    expect(lintConfig(cfg({ routes: { chat: { concurrency: 2 } } }))).toEqual([]);
  });

  it('is registered with the config linter', () => {
    expect(lintConfig(cfg({ replicas: 2 }))).toContain(
      'limits.replicas: 2 replicas need store.kind: redis (the memory store keeps limits per process)',
    );
  });

  it('says nothing when limits are off', () => {
    expect(limitsLint(cfg({ enabled: false, replicas: 3 }))).toEqual([]);
  });
});
