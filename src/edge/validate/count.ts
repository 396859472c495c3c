import type { ModelEndpoint } from '../../formats/provider.js';

type Count = (text: string) => number;

// OpenAI's accounting for chat: 3 tokens of framing per message, 1 more for a name, 3 to prime the reply.
const PER_MESSAGE = 3;
const PER_NAME = 1;
const REPLY_PRIMING = 3;

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let s = '';
  for (const part of content) {
    const t = (part as { text?: unknown }).text;
    if (typeof t === 'string') s += s === '' ? t : `\n${t}`;
  }
  return s;
}

function countPrompt(input: unknown, count: Count): number {
  if (typeof input === 'string') return count(input);
  if (!Array.isArray(input)) return 0;
  let n = 0;
  for (const x of input) {
    if (typeof x === 'string') n += count(x);
    else if (typeof x === 'number') n += 1;
    else if (Array.isArray(x)) n += x.length;
  }
  return n;
}

/** Input tokens of a validated request body, counted with the route's tokenizer. */
export function countInputTokens(
  endpoint: ModelEndpoint,
  body: Record<string, unknown>,
  count: Count,
): number {
  switch (endpoint) {
    case 'chat': {
      let n = REPLY_PRIMING;
      for (const m of body.messages as Array<Record<string, unknown>>) {
        n += PER_MESSAGE + count(contentText(m.content));
        if (typeof m.name === 'string') n += PER_NAME + count(m.name);
        if (Array.isArray(m.tool_calls)) n += count(JSON.stringify(m.tool_calls));
      }
      if (Array.isArray(body.tools)) n += count(JSON.stringify(body.tools));
      return n;
    }
    case 'completions':
      return countPrompt(body.prompt, count);
    case 'embeddings':
      return countPrompt(body.input, count);
  }
}
