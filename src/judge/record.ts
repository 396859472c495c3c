import { canaryStampSlot } from '../pipeline/canary.js';
import type { RequestContext } from '../pipeline/context.js';
import type { JudgeRecord, RecordMessage, RecordToolCall, SampleReason } from './types.js';

const MAX_MESSAGES = 64;
const MAX_TOOL_CALLS = 32;
const ROLE_MAX = 32;

/**
 * Room kept past the budget before redacting: the text is cut before the detectors run (their work
 * stays bounded), with a margin so a secret straddling the kept end is still seen whole and
 * redacted; the margin itself is then cut away.
 */
const REDACT_MARGIN = 512;

/** A character budget shared by every text of one record: the record's size is bounded. */
class Budget {
  truncated = false;
  constructor(
    private left: number,
    private readonly redact: ((s: string) => string) | null,
  ) {}
  take(raw: string): string {
    const head = raw.length > this.left + REDACT_MARGIN ? raw.slice(0, this.left + REDACT_MARGIN) : raw;
    const text = this.redact === null ? head : this.redact(head);
    if (text.length <= this.left && head.length === raw.length) {
      this.left -= text.length;
      return text;
    }
    if (text.length <= this.left) {
      this.left -= text.length;
      this.truncated = true;
      return `${text}[…cut]`;
    }
    this.truncated = true;
    const kept = text.slice(0, Math.max(this.left, 0));
    this.left = 0;
    return `${kept}[…cut]`;
  }
}

function partsText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const out: string[] = [];
  for (const p of content)
    if (p !== null && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string')
      out.push((p as { text: string }).text);
  return out.length > 0 ? out.join('\n') : null;
}

function requestMessages(body: Record<string, unknown> | null, text: (s: string) => string): RecordMessage[] {
  if (body === null) return [];
  const out: RecordMessage[] = [];
  if (Array.isArray(body.messages)) {
    // The latest turns matter most: keep the system prompt and the last messages.
    const all = body.messages as unknown[];
    const picked = all.length > MAX_MESSAGES ? [all[0], ...all.slice(-(MAX_MESSAGES - 1))] : all;
    for (const m of picked) {
      if (m === null || typeof m !== 'object') continue;
      const role = (m as { role?: unknown }).role;
      const content = partsText((m as { content?: unknown }).content);
      if (content !== null)
        out.push({
          role: typeof role === 'string' ? role.slice(0, ROLE_MAX) : 'user',
          content: text(content),
        });
    }
  } else if (typeof body.prompt === 'string') out.push({ role: 'user', content: text(body.prompt) });
  return out;
}

/** The answer's text and tool calls, from a parsed answer or a stream's released text. */
function answerOf(
  ctx: RequestContext,
  text: (s: string) => string,
): { answer: RecordMessage[]; toolCalls: RecordToolCall[] } {
  const answer: RecordMessage[] = [];
  const toolCalls: RecordToolCall[] = [];
  const json = ctx.upstream?.json ?? null;
  if (json !== null && Array.isArray(json.choices)) {
    for (const c of (json.choices as unknown[]).slice(0, MAX_MESSAGES)) {
      if (c === null || typeof c !== 'object') continue;
      const msg = (c as { message?: Record<string, unknown> }).message;
      const t = msg !== undefined ? partsText(msg.content) : partsText((c as { text?: unknown }).text);
      if (t !== null) answer.push({ role: 'assistant', content: text(t) });
      for (const call of toolCallsOf(msg)) if (toolCalls.length < MAX_TOOL_CALLS) toolCalls.push(call);
    }
    return { answer, toolCalls: toolCalls.map((t) => ({ name: t.name, arguments: text(t.arguments) })) };
  }
  if (ctx.streamedText !== '') answer.push({ role: 'assistant', content: text(ctx.streamedText) });
  // A stream's tool calls, reassembled from their deltas as the consumer received them.
  for (const t of ctx.streamedToolCalls ?? []) {
    if (toolCalls.length >= MAX_TOOL_CALLS) break;
    if (t.name !== '' || t.arguments !== '') toolCalls.push({ name: t.name, arguments: text(t.arguments) });
  }
  return { answer, toolCalls };
}

/** Tool calls of one answer message, names only plus their raw arguments (OpenAI chat shape). */
export function toolCallsOf(msg: Record<string, unknown> | undefined): RecordToolCall[] {
  const calls = msg?.tool_calls;
  if (!Array.isArray(calls)) return [];
  const out: RecordToolCall[] = [];
  for (const c of calls) {
    const fn = c !== null && typeof c === 'object' ? (c as { function?: unknown }).function : undefined;
    if (fn === null || typeof fn !== 'object') continue;
    const name = (fn as { name?: unknown }).name;
    const args = (fn as { arguments?: unknown }).arguments;
    if (typeof name === 'string')
      out.push({ name: name.slice(0, 64), arguments: typeof args === 'string' ? args : '' });
  }
  return out;
}

/**
 * The evaluated record of one answered request: request and answer text through the configured
 * redaction (the detectors' own, as on the audit event), cut to a shared character budget, the
 * tool calls, the verdicts and flags, who asked and which deployment answered. Never a credential
 * or a header value.
 */
export function buildRecord(
  ctx: RequestContext,
  reason: SampleReason,
  redact: ((s: string) => string) | null,
  maxChars: number,
): JudgeRecord | null {
  const route = ctx.route;
  if (route === null) return null;
  const budget = new Budget(maxChars, redact);
  const text = (s: string): string => budget.take(s);
  const request = requestMessages(ctx.body, text);
  const { answer, toolCalls } = answerOf(ctx, text);
  const id = ctx.identity;
  const stamp = canaryStampSlot.get(ctx);
  return {
    v: 1,
    id: ctx.requestId,
    at: ctx.startedAt,
    traceId: ctx.trace.traceId,
    route: route.alias,
    tier: route.tier,
    endpoint: ctx.endpoint,
    // The canary's model when the canary served it, so its Judge flag rate is its own.
    model: stamp?.model ?? route.config.upstream.model,
    deployment: new URL(route.origin).host,
    // The side's deployment, so a canary of the same model (a guard policy or system prompt) has
    // Judge counts of its own too.
    served: stamp?.deployment ?? route.alias,
    identity: {
      consumer: id?.consumer ?? null,
      agent: id?.agent ?? null,
      session: id?.session ?? null,
      method: id?.method ?? null,
    },
    reason,
    flags: [...ctx.flags],
    verdicts: ctx.verdicts.map((v) => ({ ...v })),
    request,
    answer,
    toolCalls,
    redacted: redact !== null,
    truncated: budget.truncated,
    usage: { input: ctx.usage?.inputTokens ?? ctx.inputTokens, output: ctx.usage?.outputTokens ?? 0 },
    cost: ctx.cost,
  };
}

/** Characters of text in a record (for the spend estimate). */
export function recordChars(r: JudgeRecord): number {
  let n = 0;
  for (const m of r.request) n += m.content.length;
  for (const m of r.answer) n += m.content.length;
  for (const t of r.toolCalls) n += t.arguments.length + t.name.length;
  return n;
}
