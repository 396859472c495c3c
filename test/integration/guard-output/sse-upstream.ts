import type { IncomingMessage, ServerResponse } from 'node:http';

/** Scripted upstream answers for the output-guard tests (served through the demo upstream's `intercept`). */
export type Script = (body: Record<string, unknown>) => Reply;

export type Reply =
  | { kind: 'stream'; pieces: string[]; tools?: ToolPiece[]; finish?: string; raw?: never }
  | { kind: 'raw'; chunks: Array<string | Buffer>; delayMs?: number; keepOpen?: boolean }
  | {
      kind: 'json';
      content: string | null;
      tools?: Array<{ name: string; arguments: string }>;
      logprobs?: unknown;
    };

export interface ToolPiece {
  index: number;
  id?: string;
  name?: string;
  arguments?: string;
}

const base = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 1, model: 'm' };

export function sseEvent(obj: unknown): string {
  return `data: ${JSON.stringify(obj)}\n\n`;
}

/** The SSE text of a chat stream whose content arrives in `pieces`. */
export function chatStream(pieces: string[], tools: ToolPiece[] = [], finish = 'stop'): string {
  let s = sseEvent({
    ...base,
    choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
  });
  for (const p of pieces)
    s += sseEvent({ ...base, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] });
  for (const t of tools) {
    const fn: Record<string, string> = {};
    if (t.name !== undefined) fn.name = t.name;
    if (t.arguments !== undefined) fn.arguments = t.arguments;
    const tc: Record<string, unknown> = { index: t.index, function: fn };
    if (t.id !== undefined) {
      tc.id = t.id;
      tc.type = 'function';
    }
    s += sseEvent({ ...base, choices: [{ index: 0, delta: { tool_calls: [tc] }, finish_reason: null }] });
  }
  s += sseEvent({ ...base, choices: [{ index: 0, delta: {}, finish_reason: finish }] });
  return `${s}data: [DONE]\n\n`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function scripted(script: Script) {
  return async (
    _req: IncomingMessage,
    body: Record<string, unknown>,
    res: ServerResponse,
  ): Promise<boolean> => {
    const r = script(body);
    if (r.kind === 'json') {
      const message: Record<string, unknown> = { role: 'assistant', content: r.content };
      if (r.tools)
        message.tool_calls = r.tools.map((t, i) => ({
          id: `call_${i}`,
          type: 'function',
          function: { name: t.name, arguments: t.arguments },
        }));
      const s = JSON.stringify({
        id: 'chatcmpl-test',
        object: 'chat.completion',
        created: 1,
        model: 'm',
        choices: [
          { index: 0, message, logprobs: r.logprobs ?? null, finish_reason: r.tools ? 'tool_calls' : 'stop' },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
      res.end(s);
      return true;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (r.kind === 'stream') {
      res.end(chatStream(r.pieces, r.tools, r.finish));
      return true;
    }
    for (const c of r.chunks) {
      if (res.destroyed) return true;
      res.write(c);
      if (r.delayMs) await sleep(r.delayMs);
    }
    if (!r.keepOpen) res.end();
    return true;
  };
}

/** The canary the gateway placed in the request's system prompt. */
export function canaryOf(body: Record<string, unknown>): string {
  const msgs = body.messages as Array<{ role: string; content: unknown }>;
  for (const m of msgs) {
    const t = typeof m.content === 'string' ? m.content : JSON.stringify(m.content);
    const c = /GHC(?:\.[0-9a-f]{1,4})+/.exec(t);
    if (c) return c[0];
  }
  throw new Error('no canary in the request');
}
