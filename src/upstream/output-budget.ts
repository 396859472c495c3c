/**
 * The output budget: what comes back from the upstream is held to the request's clamped
 * `max_tokens` per choice, whether the upstream honours the clamp or not, streamed or not. One
 * module for both paths: a whole answer is a stream of one delta per choice.
 *
 * Tokens are counted per delta with the route's tokenizer (a delta is usually one token, so the
 * sum is the count the consumer is charged when the upstream sends no usage). Counting goes through
 * `take`, which walks a delta in bounded pieces and stops at the budget: its cost is linear in what
 * is kept, never in what an upstream sends past the budget, and nothing is accumulated but numbers.
 *
 * When a choice reaches its budget, the delta that crosses it is cut to fit and gets
 * `finish_reason: "length"` (what OpenAI sends at `max_tokens`); later deltas of that choice are
 * dropped. A stream `ended` once every choice is finished and the upstream ran past a budget: the
 * caller ends the stream with `[DONE]` and aborts the upstream.
 */
import type { ModelEndpoint } from '../formats/provider.js';

type Count = (text: string) => number;
type Obj = Record<string, unknown>;

/** Text fields of a chat delta or message (vLLM's reasoning fields included). */
const CHAT_FIELDS = ['content', 'reasoning_content', 'reasoning', 'refusal'] as const;

/**
 * Pieces counted at a time. Bounds the tokenizer's input whatever the upstream sends: BPE work on
 * an unbroken run grows faster than its length (an uncached 4,096-character run of spaces costs
 * tens of ms), so a 4 MB line of one character is 16,384 counts of 256 characters, never one
 * count of a 4 MB run, and the search for the cut inside the last piece is 8 counts of at most
 * 256. Real deltas are a token or a few, far below a piece: they are counted in one call.
 */
export const PIECE_CHARS = 256;

export interface BudgetLimits {
  /** Output tokens per choice: the clamped `max_tokens` (plus the prompt when `echo` repeats it). */
  readonly perChoice: number;
  /** Choices the request asked for: `n`, times the prompts of a batched completions request. */
  readonly choices: number;
}

/** The budget of a request, from the body after validation clamped it (null when it has no output). */
export function budgetLimits(
  endpoint: ModelEndpoint,
  body: Obj | null,
  maxOutputTokens: number,
  inputTokens: number,
): BudgetLimits | null {
  if (endpoint === 'embeddings' || body === null || maxOutputTokens <= 0) return null;
  const n = typeof body.n === 'number' && body.n >= 1 ? body.n : 1;
  // validate stores the clamp times n; per choice is the clamp itself.
  let perChoice = Math.floor(maxOutputTokens / n);
  let prompts = 1;
  if (endpoint === 'completions') {
    const p = body.prompt;
    // A list of strings or of token lists is a batch: one set of n choices per prompt.
    if (Array.isArray(p) && p.length > 0 && typeof p[0] !== 'number') prompts = p.length;
    // echo repeats the prompt in each choice's text: that part is not generated output.
    if (body.echo === true) perChoice += inputTokens;
  }
  return { perChoice, choices: n * prompts };
}

/** The kept prefix of a text and its tokens; `cut` when the budget ended inside it. */
export interface Taken {
  readonly text: string;
  readonly tokens: number;
  readonly cut: boolean;
}

/** Piece end at or before `end` that does not split a surrogate pair. */
function safeEnd(text: string, end: number): number {
  if (end >= text.length || end <= 0) return end;
  const c = text.charCodeAt(end - 1);
  return c >= 0xd800 && c <= 0xdbff ? end - 1 : end;
}

/**
 * The longest prefix of `text` that fits in `room` tokens, counted piece by piece. The sum of
 * piece counts is what is charged and held to the budget; a piece boundary can prevent a merge, so
 * the sum is at least the count of the whole in practice (the unit test checks it on prose), and a
 * consumer is never delivered more than the budget by the gateway's own count.
 */
export function take(count: Count, text: string, room: number): Taken {
  if (text.length === 0) return { text, tokens: 0, cut: false };
  let used = 0;
  let pos = 0;
  while (pos < text.length) {
    const end = safeEnd(text, Math.min(text.length, pos + PIECE_CHARS));
    const piece = pos === 0 && end === text.length ? text : text.slice(pos, end);
    const c = count(piece);
    if (used + c <= room) {
      used += c;
      pos = end;
      continue;
    }
    // The budget ends inside this piece: binary search for the longest prefix that fits.
    const left = room - used;
    let lo = 0;
    let hi = piece.length;
    let loTokens = 0;
    while (hi - lo > 1) {
      const mid = safeEnd(piece, (lo + hi) >>> 1);
      if (mid <= lo) break;
      const m = count(piece.slice(0, mid));
      if (m <= left) {
        lo = mid;
        loTokens = m;
      } else hi = mid;
    }
    return { text: text.slice(0, pos + lo), tokens: used + loTokens, cut: true };
  }
  return { text, tokens: used, cut: false };
}

interface ChoiceState {
  used: number;
  finished: boolean;
}

export class OutputBudget {
  /** Output tokens counted over every choice (what was kept). */
  tokens = 0;
  /** Whether a choice was cut at its budget. */
  cut = false;
  /** Whether the upstream sent output for a choice after it had finished. */
  private overrun = false;
  private readonly states = new Map<number, ChoiceState>();
  private readonly chat: boolean;

  constructor(
    private readonly count: Count,
    private readonly limits: BudgetLimits,
    endpoint: ModelEndpoint,
    /**
     * Receives each kept piece of answer text (`content`, or `text` on completions; not reasoning or
     * tool calls): the caller keeps a bounded copy for the audit event.
     */
    private readonly onText: (text: string) => void = () => {},
  ) {
    this.chat = endpoint === 'chat';
  }

  /**
   * The stream is over for the consumer: every choice seen is finished and the upstream either ran
   * past a budget or keeps sending for a finished choice, or all requested choices were cut.
   */
  get ended(): boolean {
    if (!this.cut && !this.overrun) return false;
    for (const s of this.states.values()) if (!s.finished) return false;
    return this.overrun || this.states.size >= this.limits.choices;
  }

  /** Stream: applies the budget to one chunk's choices, in place (dropped choices are removed). */
  chunk(obj: Obj): void {
    const list = obj.choices;
    if (!Array.isArray(list) || list.length === 0) return;
    obj.choices = (list as unknown[]).filter(
      (c) => c !== null && typeof c === 'object' && this.choice(c as Obj, this.chat ? 'delta' : null),
    );
  }

  /** Whole answer: the same budget on each choice, in place. */
  answer(json: Obj): void {
    const list = json.choices;
    if (!Array.isArray(list)) return;
    json.choices = (list as unknown[]).filter(
      (c) => c !== null && typeof c === 'object' && this.choice(c as Obj, this.chat ? 'message' : null),
    );
  }

  /** One choice (a delta or a whole message); false when it must be dropped. */
  private choice(c: Obj, key: 'delta' | 'message' | null): boolean {
    const index = typeof c.index === 'number' ? c.index : 0;
    // An index the request cannot have: dropped, so state stays bounded by the request's choices.
    if (!Number.isInteger(index) || index < 0 || index >= this.limits.choices) return false;
    let s = this.states.get(index);
    if (s === undefined) {
      s = { used: 0, finished: false };
      this.states.set(index, s);
    }
    const target = key === null ? c : (c[key] as Obj | null | undefined);
    if (s.finished) {
      if (target !== null && typeof target === 'object' && this.hasOutput(target)) this.overrun = true;
      return false;
    }
    if (target !== null && typeof target === 'object' && this.apply(s, target)) {
      c.finish_reason = 'length';
      this.cut = true;
    }
    if (c.finish_reason != null) s.finished = true;
    return true;
  }

  /** Counts and cuts a delta's fields; true when the budget ended in it (the rest is removed). */
  private apply(s: ChoiceState, target: Obj): boolean {
    const fields: readonly string[] = this.chat ? CHAT_FIELDS : ['text'];
    for (const f of fields) {
      const v = target[f];
      if (typeof v !== 'string' || v === '') continue;
      const t = this.field(s, v);
      target[f] = t.text;
      if ((f === 'content' || f === 'text') && t.text !== '') this.onText(t.text);
      if (t.cut) {
        this.clearAfter(target, fields, f);
        return true;
      }
    }
    if (!this.chat) return false;
    const calls = Array.isArray(target.tool_calls) ? (target.tool_calls as unknown[]) : [];
    const legacy = target.function_call;
    const fns: Obj[] = [];
    for (const tc of calls) {
      const fn = tc !== null && typeof tc === 'object' ? (tc as Obj).function : undefined;
      if (fn !== null && typeof fn === 'object') fns.push(fn as Obj);
    }
    if (legacy !== null && typeof legacy === 'object') fns.push(legacy as Obj);
    for (let i = 0; i < fns.length; i++) {
      const fn = fns[i] as Obj;
      for (const k of ['name', 'arguments'] as const) {
        const v = fn[k];
        if (typeof v !== 'string' || v === '') continue;
        const t = this.field(s, v);
        fn[k] = t.text;
        if (!t.cut) continue;
        // The tool calls after this one are not delivered.
        if (i < calls.length) target.tool_calls = calls.slice(0, i + 1);
        if (k === 'name') fn.arguments = '';
        return true;
      }
    }
    return false;
  }

  private field(s: ChoiceState, v: string): Taken {
    const t = take(this.count, v, this.limits.perChoice - s.used);
    s.used += t.tokens;
    this.tokens += t.tokens;
    return t;
  }

  /** After a cut in field `f`: the later text fields and every tool call are not delivered. */
  private clearAfter(target: Obj, fields: readonly string[], f: string): void {
    for (const g of fields.slice(fields.indexOf(f) + 1)) if (typeof target[g] === 'string') target[g] = '';
    if ('tool_calls' in target) delete target.tool_calls;
    if ('function_call' in target) delete target.function_call;
  }

  private hasOutput(target: Obj): boolean {
    const fields: readonly string[] = this.chat ? CHAT_FIELDS : ['text'];
    for (const f of fields) if (typeof target[f] === 'string' && target[f] !== '') return true;
    return Array.isArray(target.tool_calls) && target.tool_calls.length > 0;
  }
}
