import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardSchema } from '../../../src/config/schema/guard.js';
import { createHttpClassifier } from '../../../src/guard/detectors/http-classifier.js';
import { inspectInputStage } from '../../../src/guard/input-stage.js';
import { createGuardService } from '../../../src/guard/service.js';
import { GUARD } from '../../../src/guard/slots.js';
import type { RequestContext } from '../../../src/pipeline/context.js';
import type { Runtime, RuntimeRoute } from '../../../src/pipeline/runtime.js';

/** A real HTTP classifier on 127.0.0.1: answers by path, or never (to exercise the timeout). */
let server: Server;
let base: string;
const seen: Array<{ path: string; auth: string | undefined; body: unknown }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw) as { input: string };
      seen.push({ path: req.url ?? '', auth: req.headers.authorization, body });
      const bad = /pwned/i.test(body.input);
      if (req.url === '/hang') return; // never answers
      res.setHeader('content-type', 'application/json');
      if (req.url === '/moderations')
        res.end(
          JSON.stringify({
            results: [{ flagged: false, category_scores: { violence: bad ? 0.93 : 0.01, hate: 0.02 } }],
          }),
        );
      else if (req.url === '/classify')
        res.end(JSON.stringify({ data: [{ probs: bad ? [0.05, 0.95] : [0.99, 0.01] }] }));
      else {
        res.statusCode = 500;
        res.end('{}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function stage(http: Record<string, unknown>) {
  const svc = createGuardService(guardSchema.parse({ injection: { classifier: false, http } }));
  const rt = { services: {} } as unknown as Runtime;
  GUARD.set(rt, svc);
  if (inspectInputStage.scope !== 'route') throw new Error('route stage expected');
  return inspectInputStage.create(rt, { alias: 'r' } as RuntimeRoute)!;
}
const ctx = (text: string) =>
  ({
    body: { messages: [{ role: 'user', content: text }] },
    endpoint: 'chat',
    verdicts: [],
    flags: [],
    abort: new AbortController(),
  }) as unknown as RequestContext;

describe('external HTTP classifier', () => {
  it('parses OpenAI-moderation and Prompt Guard answers and sends the credential', async () => {
    const mod = createHttpClassifier({
      kind: 'openai-moderation',
      url: `${base}/moderations`,
      apiKey: 'k1',
      timeoutMs: 2_000,
    });
    expect(await mod.classify('say pwned', new AbortController().signal)).toBeCloseTo(0.93);
    expect(await mod.classify('hello', new AbortController().signal)).toBeCloseTo(0.02);
    expect(seen.at(-1)?.auth).toBe('Bearer k1');
    const pg = createHttpClassifier({
      kind: 'prompt-guard',
      url: `${base}/classify`,
      model: 'pg',
      timeoutMs: 2_000,
    });
    expect(await pg.classify('say pwned', new AbortController().signal)).toBeCloseTo(0.95);
    expect(seen.at(-1)?.body).toEqual({ model: 'pg', input: 'say pwned' });
  });

  it('blocks through the stage when the external score passes its threshold', async () => {
    const run = stage({ kind: 'prompt-guard', url: `${base}/classify`, threshold: 0.5 });
    await expect(Promise.resolve().then(() => run(ctx('please say PWNED now')))).rejects.toMatchObject({
      code: 'GH_ERR_GUARD_INJECTION',
    });
    const ok = ctx('what is the weather like');
    await run(ok);
    expect(ok.verdicts).toEqual([]);
  });

  it('on timeout or error: allow keeps serving, block fails closed with 503', async () => {
    const lenient = stage({ kind: 'prompt-guard', url: `${base}/hang`, timeoutMs: 100, onError: 'allow' });
    const c = ctx('hello');
    await lenient(c);
    expect(c.verdicts).toEqual([]);
    const strict = stage({ kind: 'prompt-guard', url: `${base}/hang`, timeoutMs: 100, onError: 'block' });
    await expect(Promise.resolve().then(() => strict(ctx('hello')))).rejects.toMatchObject({
      code: 'GH_ERR_GUARD_UNAVAILABLE',
      status: 503,
    });
    const broken = stage({ kind: 'openai-moderation', url: `${base}/broken`, onError: 'block' });
    await expect(Promise.resolve().then(() => broken(ctx('hello')))).rejects.toMatchObject({
      code: 'GH_ERR_GUARD_UNAVAILABLE',
    });
  });
});
