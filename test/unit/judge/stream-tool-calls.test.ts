import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../../../src/pipeline/context.js';
import { collectToolCalls } from '../../../src/upstream/stream-tool-calls.js';

const ctx = () => ({ streamedToolCalls: [] }) as unknown as RequestContext;
const chunk = (choice: number, calls: unknown[]) => ({
  choices: [{ index: choice, delta: { tool_calls: calls } }],
});

describe('tool calls of a stream, reassembled from deltas', () => {
  it('keeps calls apart by choice and index, name once, arguments in order', () => {
    const c = ctx();
    collectToolCalls(c, chunk(0, [{ index: 0, function: { name: 'a', arguments: '{"x"' } }]), 1_000);
    collectToolCalls(c, chunk(1, [{ index: 0, function: { name: 'b', arguments: '' } }]), 1_000);
    collectToolCalls(c, chunk(0, [{ index: 0, function: { name: 'ignored', arguments: ': 1}' } }]), 1_000);
    collectToolCalls(c, { choices: [{ index: 0, delta: { content: 'text only' } }] }, 1_000);
    expect(c.streamedToolCalls).toEqual([
      { choice: 0, index: 0, name: 'a', arguments: '{"x": 1}' },
      { choice: 1, index: 0, name: 'b', arguments: '' },
    ]);
  });

  it('bounds the arguments over all calls and the number of calls', () => {
    const c = ctx();
    collectToolCalls(c, chunk(0, [{ index: 0, function: { name: 'a', arguments: 'x'.repeat(8) } }]), 10);
    collectToolCalls(c, chunk(0, [{ index: 1, function: { name: 'b', arguments: 'y'.repeat(8) } }]), 10);
    expect(c.streamedToolCalls.map((t) => t.arguments)).toEqual(['xxxxxxxx', 'yy']);
    const many = ctx();
    for (let i = 0; i < 40; i++)
      collectToolCalls(many, chunk(0, [{ index: i, function: { name: `t${i}` } }]), 10);
    expect(many.streamedToolCalls).toHaveLength(32);
  });
});
