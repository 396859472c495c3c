/**
 * Prompt and response text for the audit event (only when `telemetry.audit.includeText` is on).
 * Every string goes through the detectors' redaction before it is placed on the event; shapes follow
 * the OpenTelemetry GenAI `gen_ai.input.messages` / `gen_ai.output.messages` attributes.
 */

export interface TextMessage {
  role: string;
  content: string;
}

const MAX_MESSAGES = 64;

function partsText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const out: string[] = [];
  for (const p of content) {
    if (p !== null && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string')
      out.push((p as { text: string }).text);
  }
  return out.length > 0 ? out.join('\n') : null;
}

export function extractInputText(
  body: Record<string, unknown> | null,
  redact: (t: string) => string,
): TextMessage[] | null {
  if (body === null) return null;
  const out: TextMessage[] = [];
  if (Array.isArray(body.messages)) {
    for (const m of body.messages.slice(-MAX_MESSAGES)) {
      if (m === null || typeof m !== 'object') continue;
      const role = typeof (m as { role?: unknown }).role === 'string' ? (m as { role: string }).role : 'user';
      const text = partsText((m as { content?: unknown }).content);
      if (text !== null) out.push({ role: role.slice(0, 32), content: redact(text) });
    }
  } else if (typeof body.prompt === 'string') {
    out.push({ role: 'user', content: redact(body.prompt) });
  } else if (Array.isArray(body.prompt)) {
    for (const p of body.prompt.slice(0, MAX_MESSAGES))
      if (typeof p === 'string') out.push({ role: 'user', content: redact(p) });
  }
  return out.length > 0 ? out : null;
}

export function extractOutputText(
  json: Record<string, unknown> | null,
  streamedText: string,
  redact: (t: string) => string,
): TextMessage[] | null {
  const out: TextMessage[] = [];
  if (json !== null && Array.isArray(json.choices)) {
    for (const c of json.choices.slice(0, MAX_MESSAGES)) {
      if (c === null || typeof c !== 'object') continue;
      const msg = (c as { message?: { content?: unknown } }).message;
      const text = msg !== undefined ? partsText(msg.content) : partsText((c as { text?: unknown }).text);
      if (text !== null) out.push({ role: 'assistant', content: redact(text) });
    }
  } else if (streamedText !== '') {
    out.push({ role: 'assistant', content: redact(streamedText) });
  }
  return out.length > 0 ? out : null;
}
