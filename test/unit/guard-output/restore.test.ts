import { describe, expect, it } from 'vitest';
import { inspectAnswer } from '../../../src/guard/output/answer.js';
import { prepareRequest } from '../../../src/guard/output/request.js';
import { chatStream } from '../../integration/guard-output/sse-upstream.js';
import { fakeContext, guardFor, runStream, withPlaceholders } from './harness.js';

const body = () => ({ messages: [{ role: 'user', content: 'mail [EMAIL_1] about [PHONE_NUMBER_2]' }] });
const values = { '[EMAIL_1]': 'ann@example.org', '[PHONE_NUMBER_2]': '+44 20 7946 0958' };

describe('input placeholders restored in the answer', () => {
  it('streamed, with placeholders cut anywhere', () => {
    const answer = 'I wrote to [EMAIL_1] and will call [PHONE_NUMBER_2]; [EMAIL_9] is unknown.';
    for (let step = 1; step <= answer.length; step++) {
      const pieces: string[] = [];
      for (let i = 0; i < answer.length; i += step) pieces.push(answer.slice(i, i + step));
      const ctx = withPlaceholders(fakeContext(body()), values);
      const r = runStream([new TextEncoder().encode(chatStream(pieces))], { ctx });
      expect(r.error).toBeNull();
      // Restored values are the consumer's own: not redacted again as PII of the answer.
      expect(r.text).toBe('I wrote to ann@example.org and will call +44 20 7946 0958; [EMAIL_9] is unknown.');
    }
  });

  it('whole answers, content and tool arguments', () => {
    const ctx = withPlaceholders(
      fakeContext({ ...body(), tools: [{ type: 'function', function: { name: 'send' } }] }),
      values,
    );
    const req = prepareRequest(ctx, guardFor());
    const json = {
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Sent to [EMAIL_1].',
            tool_calls: [
              { id: 'c', type: 'function', function: { name: 'send', arguments: '{"to":"[EMAIL_1]"}' } },
            ],
          },
        },
      ],
    };
    inspectAnswer(ctx, req, json);
    expect(json.choices[0]!.message.content).toBe('Sent to ann@example.org.');
    expect(json.choices[0]!.message.tool_calls[0]!.function.arguments).toBe('{"to":"ann@example.org"}');
  });

  it('records verdicts without the matched text, and flags for the Judge', () => {
    const r = runStream([new TextEncoder().encode(chatStream(['mail bob@example.com now please']))], {
      policy: { detectors: { pii: { types: { EMAIL: 'flag' } } } },
    });
    expect(r.text).toBe('mail bob@example.com now please');
    expect(r.ctx.verdicts).toEqual([
      { phase: 'output', detector: 'pii', type: 'EMAIL', action: 'flag', score: 0.95 },
    ]);
    expect(r.ctx.flags).toEqual(['guard.output:pii:EMAIL']);
    expect(JSON.stringify(r.ctx.verdicts)).not.toContain('bob');
  });
});
