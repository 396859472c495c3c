import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 10, finding 1: token counting was quadratic in an unbroken run of characters, so one
 * authenticated chat message of 900 KB of `x` (under the 1 MB body cap) froze a replica for minutes,
 * /health included. The gateway runs in its own process with the default caps and guards; each
 * oversized prompt must get the input-token 400 with its code and request id, and /health must
 * answer while it is in flight and after. On the quadratic counter these requests (and the health
 * probes sent beside them) do not come back before the test's timeout: the test fails, it does not hang.
 */
const REPLICA = fileURLToPath(new URL('./bounded-replica.ts', import.meta.url));
let child: ChildProcess;
let gw: { url: string; healthUrl: string; key: string };

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', REPLICA], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  gw = await new Promise((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf('\n');
      if (nl !== -1) resolve(JSON.parse(out.slice(0, nl)));
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
  });
}, 60_000);

afterAll(async () => {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
});

async function health(): Promise<number> {
  return (await fetch(`${gw.healthUrl}/health`)).status;
}

const client = () => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.key, maxRetries: 0, timeout: 60_000 });

describe('one request cannot freeze a replica (bounded token counting)', () => {
  it.each([
    ['160,000 x', 'x'.repeat(160_000)],
    ['900 KB of x, under the 1 MB body cap', 'x'.repeat(900_000)],
    ['900,000 digits', '7'.repeat(900_000)],
    ['450,000 é (900 KB of UTF-8)', 'é'.repeat(450_000)],
  ])(
    '%s: a prompt 400 with its code, and /health answers meanwhile',
    async (_name, content) => {
      const pending = client()
        .chat.completions.create({ model: 'demo', messages: [{ role: 'user', content }] })
        .catch((e: unknown) => e);
      // Sent while the big request is being read and counted: answered only if the loop is free.
      const during = await health();
      const err = await pending;
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      const e = err as InstanceType<typeof OpenAI.BadRequestError>;
      expect(e.status).toBe(400);
      expect(e.code).toBe('GH_ERR_INPUT_TOKENS');
      expect((e.error as { request_id?: string }).request_id).toMatch(/\S{8,}/);
      expect(during).toBe(200);
      expect(await health()).toBe(200);
    },
    30_000,
  );

  it('900 KB of spaces (about 7,000 tokens, under the cap) is served, and /health answers meanwhile', async () => {
    const pending = client().chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: `${' '.repeat(899_990)}hello` }],
    });
    const during = await health();
    const r = await pending;
    expect(r.usage?.prompt_tokens).toBeGreaterThan(1_000);
    expect(r.usage?.prompt_tokens).toBeLessThanOrEqual(8_192);
    expect(during).toBe(200);
  }, 30_000);

  it('a prompt under the cap still goes through after them', async () => {
    const r = await client().chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'Say hello.' }],
    });
    expect(r.choices[0]?.message.content).toBeTruthy();
    expect(r.usage?.prompt_tokens).toBeGreaterThan(0);
  });
});
