/**
 * CPU cost of the field map on the request path: strict validation (compiled JSON schema), the
 * input-token count over every counted field, and the input guard over every inspected field, for
 * a typical tool-using chat request, in µs per request; then the same steps on adversarial 0.5-0.8 MB
 * bodies (one schema of 60,000 strings, 120 messages of 256 parts, tool-call arguments of 60,000
 * strings), in ms. Run:
 *
 *   node --import tsx bench/micro/field-map.ts
 */

import { guardSchema } from '../../src/config/schema/guard.js';
import { compileValidators } from '../../src/edge/validate/compile.js';
import { countInputTokens } from '../../src/edge/validate/count.js';
import { mapsFor } from '../../src/formats/fields/maps.js';
import { inspectInputStage } from '../../src/guard/input-stage.js';
import { createGuardService } from '../../src/guard/service.js';
import { GUARD } from '../../src/guard/slots.js';
import type { RequestContext } from '../../src/pipeline/context.js';
import type { Runtime, RuntimeRoute } from '../../src/pipeline/runtime.js';
import { loadTokenCounter } from '../../src/upstream/tokenizer.js';

const maps = mapsFor();
const validate = compileValidators(maps).chat;
const count = await loadTokenCounter('o200k_base');
const rt = { services: {} } as unknown as Runtime;
GUARD.set(rt, createGuardService(guardSchema.parse({})));
if (inspectInputStage.scope !== 'route') throw new Error('expected a route stage');
const guard = inspectInputStage.create(rt, { alias: 'bench' } as RuntimeRoute);
if (guard === null) throw new Error('no guard stage');

const typical = () => ({
  model: 'bench',
  max_tokens: 256,
  messages: [
    { role: 'system', content: 'You are the support assistant of Example Corp. Answer briefly.' },
    { role: 'user', content: 'What is the weather in Oslo tomorrow, and should I take an umbrella?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          id: 'c1',
          type: 'function',
          function: { name: 'weather', arguments: '{"city":"Oslo","day":"tomorrow"}' },
        },
      ],
    },
    { role: 'tool', tool_call_id: 'c1', content: '{"forecast":"rain","temperature_c":7,"wind_kmh":20}' },
  ],
  tools: [
    {
      type: 'function',
      function: {
        name: 'weather',
        description: 'Forecast for a city and a day.',
        parameters: {
          type: 'object',
          properties: {
            city: { type: 'string', description: 'City name' },
            day: { type: 'string', enum: ['today', 'tomorrow'] },
          },
          required: ['city', 'day'],
        },
      },
    },
  ],
  response_format: {
    type: 'json_schema',
    json_schema: {
      name: 'answer',
      schema: { type: 'object', properties: { text: { type: 'string' }, umbrella: { type: 'boolean' } } },
    },
  },
  stop: ['\n\nUser:'],
});

const ctx = (body: Record<string, unknown>) =>
  ({
    body,
    endpoint: 'chat',
    verdicts: [],
    flags: [],
    abort: new AbortController(),
  }) as unknown as RequestContext;

async function once(body: Record<string, unknown>): Promise<void> {
  validate(body);
  countInputTokens(maps.chat, body, count);
  await guard?.(ctx(body));
}

const cpu = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

const N = 2_000;
for (let i = 0; i < 300; i++) await once(typical());
let t = cpu();
for (let i = 0; i < N; i++) await once(typical());
process.stdout.write(`typical tool-using chat request: ${((cpu() - t) / N).toFixed(0)} µs per request\n`);

const strings = Array.from({ length: 60_000 }, (_, i) => `v${i}`);
const adversarial: Record<string, () => Record<string, unknown>> = {
  'schema of 60,000 strings': () => ({
    model: 'b',
    messages: [{ role: 'user', content: 'hi' }],
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', enum: strings } } }],
  }),
  '120 messages of 256 parts': () => ({
    model: 'b',
    messages: Array.from({ length: 120 }, () => ({
      role: 'user',
      content: Array.from({ length: 256 }, () => ({ type: 'text', text: 'ab' })),
    })),
  }),
  'tool-call arguments of 60,000 strings': () => ({
    model: 'b',
    messages: [
      { role: 'user', content: 'x' },
      {
        role: 'assistant',
        tool_calls: [
          { id: 'a', type: 'function', function: { name: 'f', arguments: JSON.stringify({ a: strings }) } },
        ],
      },
    ],
  }),
};
for (const [name, make] of Object.entries(adversarial)) {
  const body = make();
  const bytes = JSON.stringify(body).length;
  t = cpu();
  validate(body);
  const v = cpu() - t;
  t = cpu();
  countInputTokens(maps.chat, body, count);
  const c = cpu() - t;
  t = cpu();
  await guard(ctx(body));
  const g = cpu() - t;
  process.stdout.write(
    `${name} (${(bytes / 1e6).toFixed(2)} MB): validate ${(v / 1e3).toFixed(0)} ms, count ${(c / 1e3).toFixed(0)} ms, guard ${(g / 1e3).toFixed(0)} ms\n`,
  );
}
