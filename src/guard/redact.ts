/**
 * Reversible redaction within one request. Each distinct value becomes a typed placeholder such as
 * `[EMAIL_1]`; the same value gets the same placeholder everywhere in the request. The map stays on
 * the request context, so the output side can put the values back for the consumer while the model
 * only ever sees placeholders.
 */
import type { Span } from './types.js';

export interface RedactionMap {
  /** placeholder -> original value */
  readonly byPlaceholder: Map<string, string>;
  /** original value -> placeholder */
  readonly byValue: Map<string, string>;
  readonly counters: Map<string, number>;
}

export function createRedactionMap(): RedactionMap {
  return { byPlaceholder: new Map(), byValue: new Map(), counters: new Map() };
}

function placeholderFor(map: RedactionMap, type: string, value: string): string {
  const known = map.byValue.get(value);
  if (known !== undefined) return known;
  const label = type.replace(/[^A-Z0-9_]/gi, '_').toUpperCase();
  const n = (map.counters.get(label) ?? 0) + 1;
  map.counters.set(label, n);
  const ph = `[${label}_${n}]`;
  map.byPlaceholder.set(ph, value);
  map.byValue.set(value, ph);
  return ph;
}

export interface Redaction {
  readonly span: Span;
  readonly type: string;
}

/** Replaces the spans (overlaps merged, the earlier finding's type kept) with placeholders. */
export function redactSpans(text: string, redactions: readonly Redaction[], map: RedactionMap): string {
  if (redactions.length === 0) return text;
  const sorted = [...redactions].sort((a, b) => a.span.start - b.span.start || b.span.end - a.span.end);
  const merged: Redaction[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && r.span.start < last.span.end) {
      if (r.span.end > last.span.end)
        merged[merged.length - 1] = { type: last.type, span: { start: last.span.start, end: r.span.end } };
    } else merged.push(r);
  }
  let out = '';
  let at = 0;
  for (const r of merged) {
    out += text.slice(at, r.span.start) + placeholderFor(map, r.type, text.slice(r.span.start, r.span.end));
    at = r.span.end;
  }
  return out + text.slice(at);
}

const PLACEHOLDER = /\[[A-Z0-9_]{1,40}_\d{1,6}\]/g;

/** Puts the original values back in a complete text. Unknown bracketed tokens are left alone. */
export function restorePlaceholders(text: string, map: RedactionMap): string {
  if (map.byPlaceholder.size === 0) return text;
  return text.replace(PLACEHOLDER, (ph) => map.byPlaceholder.get(ph) ?? ph);
}

/** Longest placeholder a stream restorer has to hold back while it waits for the closing bracket. */
const MAX_PLACEHOLDER = 49;

/**
 * Streaming restore: feed text deltas, get restored text; a possible placeholder cut between two
 * deltas is held back (at most 49 characters) until it completes. Call `end()` for the remainder.
 */
export function createStreamRestorer(map: RedactionMap): { push(delta: string): string; end(): string } {
  let pending = '';
  return {
    push(delta) {
      const buf = pending + delta;
      const open = buf.lastIndexOf('[');
      if (open >= 0 && buf.indexOf(']', open) < 0 && buf.length - open <= MAX_PLACEHOLDER) {
        pending = buf.slice(open);
        return restorePlaceholders(buf.slice(0, open), map);
      }
      pending = '';
      return restorePlaceholders(buf, map);
    },
    end() {
      const rest = pending;
      pending = '';
      return restorePlaceholders(rest, map);
    },
  };
}
