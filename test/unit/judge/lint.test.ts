import { describe, expect, it } from 'vitest';
import { startGateway } from '../../../src/boot/gateway.js';
import { lintReport } from '../../../src/boot/lint.js';
import { parseConfig } from '../../../src/config/load.js';
import { demoApiKey } from '../../../src/edge/auth/demo.js';

const route = (alias: string, url: string, model: string) => ({
  alias,
  upstream: { provider: 'openai' as const, url, model, zone2Colocated: true },
});

function config(
  judge: Record<string, unknown>,
  routes = [route('chat', 'http://127.0.0.1:9001/v1', 'llama-3.1-8b-2024-07-23')],
) {
  return parseConfig({
    server: { host: '127.0.0.1', port: 0, allowPlaintext: true },
    health: { port: 0 },
    metrics: { port: 0 },
    auth: demoApiKey().auth,
    routes,
    judge: { enabled: true, ...judge },
  });
}

describe('judge lint', () => {
  it('refuses a Judge that is the same model deployment as a route it judges', () => {
    const cfg = config({ endpoint: { url: 'http://127.0.0.1:9001/v1/', model: 'llama-3.1-8b-2024-07-23' } });
    const errors = lintReport(cfg).errors.filter((e) => e.startsWith('judge.'));
    expect(errors).toEqual([
      'judge.endpoint.model "llama-3.1-8b-2024-07-23" is the model of route "chat" it judges (the same deployment): the Judge must be a different model',
    ]);
  });

  it('refuses the same model served elsewhere too (same blind spots), case-insensitively', () => {
    const cfg = config({
      endpoint: { url: 'http://judge.internal:8000/v1', model: 'LLAMA-3.1-8B-2024-07-23' },
    });
    expect(lintReport(cfg).errors.some((e) => e.includes('(the same model)'))).toBe(true);
  });

  it('a rubric limited to other routes does not judge that route', () => {
    const cfg = config(
      {
        endpoint: { url: 'http://judge.internal:8000/v1', model: 'llama-3.1-8b-2024-07-23' },
        rubrics: [{ name: 'leak', kind: 'system_prompt_leak', routes: ['other'] }],
      },
      [
        route('chat', 'http://127.0.0.1:9001/v1', 'llama-3.1-8b-2024-07-23'),
        route('other', 'http://127.0.0.1:9002/v1', 'qwen2.5-7b-2024-09-19'),
      ],
    );
    expect(lintReport(cfg).errors.filter((e) => e.startsWith('judge.'))).toEqual([]);
  });

  it('refuses unknown routes in rubrics and sampling, and duplicate rubric names; warns on redaction none', () => {
    const cfg = config({
      endpoint: { url: 'http://judge.internal:8000/v1', model: 'judge-2026-01-01' },
      rubrics: [
        { name: 'a', kind: 'groundedness', routes: ['nope'] },
        { name: 'a', kind: 'policy_violation' },
      ],
      sampling: { routes: { ghost: { rate: 0.5 } } },
      redaction: 'none',
    });
    const r = lintReport(cfg);
    expect(r.errors.filter((e) => e.startsWith('judge.'))).toEqual([
      'judge.rubrics "a": unknown route "nope"',
      'judge.sampling.routes: unknown route "ghost"',
      'judge.rubrics: duplicate name "a"',
    ]);
    expect(r.warnings.some((w) => w.includes('judge.redaction is none'))).toBe(true);
  });

  it('the gateway refuses to start with a same-model Judge', async () => {
    const cfg = config({ endpoint: { url: 'http://127.0.0.1:9001/v1', model: 'llama-3.1-8b-2024-07-23' } });
    await expect(startGateway(cfg)).rejects.toThrow(/the Judge must be a different model/);
  });

  it('the schema refuses an enabled Judge without an endpoint', () => {
    expect(() => config({})).toThrow(/judge\.enabled needs judge\.endpoint/);
  });
});
