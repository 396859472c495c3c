/**
 * The texts of a request body that the input guard scans, each with its kind and a setter so that
 * redaction and normalisation can write back in place. Chat messages (string or text parts),
 * completions prompts and embeddings inputs are covered; token-id arrays and images are not text.
 *
 * Kinds: `user` for what the consumer writes (and assistant turns it replays), `indirect` for tool
 * and function results (and embeddings inputs, which are documents), `system` for the operator's
 * system or developer prompt, which is not scanned for injection.
 */
import type { ModelEndpoint } from '../formats/provider.js';
import type { SegmentKind } from './types.js';

export interface Segment {
  readonly kind: SegmentKind;
  /** The chat role, or the endpoint's field name. */
  readonly role: string;
  /** Index of the chat message (or of the prompt/input entry). */
  readonly index: number;
  readonly text: string;
  set(text: string): void;
}

const KIND_BY_ROLE: Readonly<Record<string, SegmentKind>> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'user',
  tool: 'indirect',
  function: 'indirect',
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringsOf(container: Obj, key: string, kind: SegmentKind, role: string, out: Segment[]): void {
  const v = container[key];
  if (typeof v === 'string') {
    out.push({ kind, role, index: 0, text: v, set: (t) => (container[key] = t) });
  } else if (Array.isArray(v)) {
    v.forEach((item, i) => {
      if (typeof item === 'string') out.push({ kind, role, index: i, text: item, set: (t) => (v[i] = t) });
    });
  }
}

function chatSegments(body: Obj, out: Segment[]): void {
  const messages = body.messages;
  if (!Array.isArray(messages)) return;
  messages.forEach((m: unknown, index) => {
    if (!isObj(m)) return;
    const role = typeof m.role === 'string' ? m.role : 'user';
    const kind = KIND_BY_ROLE[role] ?? 'user';
    const content = m.content;
    if (typeof content === 'string') {
      out.push({ kind, role, index, text: content, set: (t) => (m.content = t) });
    } else if (Array.isArray(content)) {
      for (const part of content) {
        if (isObj(part) && typeof part.text === 'string')
          out.push({ kind, role, index, text: part.text, set: (t) => (part.text = t) });
      }
    }
  });
}

const BY_ENDPOINT: Readonly<Record<ModelEndpoint, (body: Obj, out: Segment[]) => void>> = {
  chat: chatSegments,
  completions: (body, out) => stringsOf(body, 'prompt', 'user', 'prompt', out),
  embeddings: (body, out) => stringsOf(body, 'input', 'indirect', 'input', out),
};

export function segmentsOf(endpoint: ModelEndpoint, body: Record<string, unknown>): Segment[] {
  const out: Segment[] = [];
  BY_ENDPOINT[endpoint](body, out);
  return out;
}

/** Roles present in a chat body (for the allowed-roles rule) and the message count. */
export function chatShape(body: Record<string, unknown>): { roles: string[]; count: number } {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const roles = messages.map((m: unknown) => (isObj(m) && typeof m.role === 'string' ? m.role : ''));
  return { roles, count: messages.length };
}
