import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { type JudgeServer, startJudgeServer } from '../../helpers/judge-server.js';

/**
 * A streamed answer's tool calls reach the Judge's record: the upstream streams two tool calls as
 * OpenAI deltas (name first, arguments in fragments, interleaved), the gateway relays them over real
 * SSE to the official client, and the record the Judge reads has each call reassembled.
 */
let judge: JudgeServer;
let t: TestGateway | null = null;
beforeAll(async () => {
  judge = await startJudgeServer();
});
afterAll(async () => {
  await t?.close();
  await judge.close();
});

function streamToolCalls(res: ServerResponse, model: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const base = { id: 'chatcmpl-tools', object: 'chat.completion.chunk', created: 1_767_225_600, model };
  const send = (delta: Record<string, unknown>, finish: string | null = null) =>
    res.write(
      `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
    );
  const call = (index: number, fn: Record<string, string>, id?: string) =>
    send({ tool_calls: [{ index, ...(id && { id, type: 'function' }), function: fn }] });
  send({ role: 'assistant', content: null });
  call(0, { name: 'lookup_order', arguments: '' }, 'call_1');
  call(0, { arguments: '{"order_' });
  call(1, { name: 'refund_order', arguments: '' }, 'call_2');
  call(0, { arguments: 'id": "A-1' });
  call(1, { arguments: '{"order_id": "A-1001", "amount": 5000}' });
  call(0, { arguments: '001"}' });
  send({}, 'tool_calls');
  res.write(
    `data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 20, completion_tokens: 30, total_tokens: 50 } })}\n\n`,
  );
  res.end('data: [DONE]\n\n');
}

const tool = (name: string) => ({
  type: 'function' as const,
  function: {
    name,
    parameters: { type: 'object', properties: { order_id: { type: 'string' }, amount: { type: 'number' } } },
  },
});

describe('tool calls of streamed answers in the Judge record', () => {
  it('reassembles interleaved tool-call deltas into the record the Judge reads', async () => {
    t = await startTestGateway({
      config: (url) => ({
        routes: [demoRoute(url)],
        judge: {
          enabled: true,
          endpoint: { url: judge.url, model: 'judge-model-2026-01-01', timeoutMs: 60_000 },
          sampling: { tiers: { 1: { rate: 1 }, 2: { rate: 1 }, 3: { rate: 1 } } },
          rubrics: [{ name: 'tooluse', kind: 'harmful_tool_use' }],
          calibration: { passSampleRate: 0 },
          aggregate: { enabled: false },
          workers: { blockMs: 100 },
        },
      }),
      upstream: {
        intercept: (_req, body, res) => {
          streamToolCalls(res, String(body.model));
          return true;
        },
      },
    });
    const stream = await t.client().chat.completions.create({
      model: 'demo',
      stream: true,
      messages: [{ role: 'user', content: 'Where is order A-1001? Refund it.' }],
      tools: [tool('lookup_order'), tool('refund_order')],
    });
    // What the consumer received, reassembled the way the SDK's users do.
    const got = new Map<number, { name: string; args: string }>();
    for await (const chunk of stream)
      for (const tc of chunk.choices[0]?.delta.tool_calls ?? []) {
        const c = got.get(tc.index) ?? { name: '', args: '' };
        got.set(tc.index, {
          name: c.name + (tc.function?.name ?? ''),
          args: c.args + (tc.function?.arguments ?? ''),
        });
      }
    expect(got.get(0)).toEqual({ name: 'lookup_order', args: '{"order_id": "A-1001"}' });
    expect(got.get(1)).toEqual({ name: 'refund_order', args: '{"order_id": "A-1001", "amount": 5000}' });

    await eventually(() => expect(judge.calls).toHaveLength(1), 30_000);
    const text = judge.calls[0]?.text ?? '';
    expect(text).toContain('<<<TOOL_CALLS');
    expect(text).toContain('lookup_order({"order_id": "A-1001"})');
    expect(text).toContain('refund_order({"order_id": "A-1001", "amount": 5000})');
  }, 120_000);
});
