import { describe, expect, it } from 'vitest';
import { guardSchema } from '../../../src/config/schema/guard.js';
import { ENDPOINT_MAPS } from '../../../src/formats/fields/maps.js';
import { inspectInputStage } from '../../../src/guard/input-stage.js';
import { restorePlaceholders } from '../../../src/guard/redact.js';
import { segmentsOf } from '../../../src/guard/segments.js';
import { createGuardService } from '../../../src/guard/service.js';
import { GUARD, REDACTIONS } from '../../../src/guard/slots.js';
import type { RequestContext, Stage } from '../../../src/pipeline/context.js';
import type { Runtime, RuntimeRoute } from '../../../src/pipeline/runtime.js';

/** Redaction inside JSON values: placeholders land in the key or string they were found in. */
function stage(): Stage {
  const rt = { services: {} } as unknown as Runtime;
  GUARD.set(rt, createGuardService(guardSchema.parse({})));
  if (inspectInputStage.scope !== 'route') throw new Error('expected a route stage');
  const s = inspectInputStage.create(rt, { alias: 'r' } as RuntimeRoute);
  if (s === null) throw new Error('no stage');
  return s;
}

function ctx(body: Record<string, unknown>): RequestContext {
  return {
    body,
    endpoint: 'chat',
    verdicts: [],
    flags: [],
    abort: new AbortController(),
  } as unknown as RequestContext;
}

const withArgs = (args: string) => ({
  messages: [
    { role: 'user', content: 'send it' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c', type: 'function', function: { name: 'send', arguments: args } }],
    },
  ],
});
const argsOf = (c: RequestContext) =>
  (
    (c.body as ReturnType<typeof withArgs>).messages[1] as {
      tool_calls: Array<{ function: { arguments: string } }>;
    }
  ).tool_calls[0]?.function.arguments ?? '';

describe('JSON-valued fields', () => {
  it('tool-call arguments: keys and strings redacted, still valid JSON, restorable', async () => {
    const c = ctx(
      withArgs(
        '{"ana.silva@example.org": "mail ana.silva@example.org", "n": 1, "list": ["bob@example.org"]}',
      ),
    );
    await stage()(c);
    const args = JSON.parse(argsOf(c));
    expect(args).toEqual({ '[EMAIL_1]': 'mail [EMAIL_1]', n: 1, list: ['[EMAIL_2]'] });
    expect(
      restorePlaceholders(
        argsOf(c),
        REDACTIONS.get(c) ?? { byPlaceholder: new Map(), byValue: new Map(), counters: new Map() },
      ),
    ).toContain('ana.silva@example.org');
  });

  it('stays valid JSON when normalisation would turn a fullwidth quote into a real one', async () => {
    const c = ctx(withArgs('{"q": "greeting \uFF02hi\uFF02 from bob@example.org"}'));
    await stage()(c);
    const args = JSON.parse(argsOf(c)) as { q: string };
    expect(args.q).toBe('greeting "hi" from [EMAIL_1]');
  });

  it('is left byte for byte when nothing is found', async () => {
    const raw = '{ "city" :  "Oslo" }';
    const c = ctx(withArgs(raw));
    await stage()(c);
    expect(argsOf(c)).toBe(raw);
  });

  it('a schema key and the required entry naming it get the same placeholder', async () => {
    const schema = {
      type: 'object',
      properties: { 'ana@example.org': { type: 'string' } },
      required: ['ana@example.org'],
    };
    const c = ctx({
      messages: [{ role: 'user', content: 'hi' }],
      response_format: { type: 'json_schema', json_schema: { name: 'a', schema } },
    });
    await stage()(c);
    expect(schema).toEqual({
      type: 'object',
      properties: { '[EMAIL_1]': { type: 'string' } },
      required: ['[EMAIL_1]'],
    });
  });

  it('one segment per message, tool or field, with the right kind', () => {
    const body = {
      messages: [
        { role: 'system', content: 's' },
        { role: 'tool', tool_call_id: 'c', content: 't' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'f', description: 'd', parameters: { type: 'object', description: 'p' } },
        },
      ],
      stop: ['x', 'y'],
    };
    const segs = segmentsOf(ENDPOINT_MAPS.chat, body).map((s) => [s.inspect, s.kind, s.text]);
    expect(segs).toEqual([
      ['text', 'system', 's'],
      ['text', 'indirect', 't'],
      // Stop sequences: credentials and personal data only, like the system prompt.
      ['text', 'system', 'x'],
      ['text', 'system', 'y'],
      // One tool, one segment: its name, description and every key and string of its schema.
      ['tool-definition', 'indirect', 'f\nd\ntype\nobject\ndescription\np'],
    ]);
  });
});
