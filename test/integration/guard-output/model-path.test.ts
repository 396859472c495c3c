import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_DIM, MODEL_DIM_BITS } from '../../../src/guard/detectors/injection-model.js';
import { demoRoute, startTestGateway, type TestGateway } from '../../helpers/gateway.js';

/**
 * `guard.injection.modelPath` configures the injection classifier of both directions. The test
 * model has zero weights and a large bias: it scores every text as an attack, which the shipped
 * model does not do for the demo model's plain greeting.
 */
let modelPath: string;
const gateways: TestGateway[] = [];

const outputInjection = { detectors: { injection: { when: 'always', action: 'block' } } } as const;

async function start(guard: Record<string, unknown>): Promise<TestGateway> {
  const t = await startTestGateway({
    config: (u) => ({
      routes: [demoRoute(u)],
      guard,
      outputGuard: outputInjection,
      limits: { enabled: false },
    }),
  });
  gateways.push(t);
  return t;
}

async function ask(t: TestGateway): Promise<{ status: number; code: unknown }> {
  try {
    await t.client().chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'Good morning' }],
      max_tokens: 32,
    });
    return { status: 200, code: null };
  } catch (err) {
    if (err instanceof OpenAI.APIError) return { status: err.status ?? 0, code: err.code };
    throw err;
  }
}

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-injmodel-'));
  modelPath = join(dir, 'always-attack.json');
  writeFileSync(
    modelPath,
    JSON.stringify({
      version: 1,
      dimBits: MODEL_DIM_BITS,
      bias: 20,
      scale: 1,
      weights: Buffer.alloc(MODEL_DIM).toString('base64'),
      threshold: 0.5,
      trainedOn: 'test: constant attack score',
      metrics: {},
    }),
  );
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
});

describe('output guard injection detector and guard.injection.modelPath', () => {
  it('the shipped model lets the plain answer through', async () => {
    expect(await ask(await start({}))).toEqual({ status: 200, code: null });
  });

  it('with the input guard on, the output guard uses the same configured model', async () => {
    // Input injection off on the route, so only the output side can refuse.
    const t = await start({ injection: { modelPath }, defaults: { injection: { enabled: false } } });
    expect(await ask(t)).toEqual({ status: 422, code: 'GH_ERR_OUTPUT_BLOCKED' });
    expect(t.upstream.received).toHaveLength(1);
  });

  it('with the input guard off, the output guard still loads the configured model', async () => {
    const t = await start({ enabled: false, injection: { modelPath } });
    expect(await ask(t)).toEqual({ status: 422, code: 'GH_ERR_OUTPUT_BLOCKED' });
  });
});
