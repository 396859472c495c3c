/**
 * Reversible placeholders of input redaction (`[EMAIL_1]`): the model only ever saw the
 * placeholder; the consumer gets its own value back in the answer, streamed or not. Placeholders
 * that the request did not create (the model inventing `[EMAIL_7]`) stay as they are.
 */
import type { RequestContext } from '../../pipeline/context.js';
// The input stage's redactions (the `REDACTIONS` slot, src/guard/slots.ts).
import { REDACTIONS } from '../slots.js';
import { finding, type OutputFinding } from './types.js';

// The input side's placeholder shape (src/guard/redact.ts).
const PLACEHOLDER = /\[[A-Z0-9_]{1,40}_\d{1,6}\]/g;

/** The request's placeholder map from input redaction, or null when nothing was redacted. */
export function inputPlaceholders(ctx: RequestContext): ReadonlyMap<string, string> | null {
  const map = REDACTIONS.get(ctx);
  return map !== undefined && map.byPlaceholder.size > 0 ? map.byPlaceholder : null;
}

export interface PlaceholderHit extends OutputFinding {
  readonly value: string;
}

export function findPlaceholders(text: string, map: ReadonlyMap<string, string>): PlaceholderHit[] {
  if (map.size === 0 || text.indexOf('[') < 0) return [];
  const out: PlaceholderHit[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const value = map.get(m[0]);
    if (value === undefined) continue;
    const f = finding('pii', 'PLACEHOLDER', 1, m.index, m.index + m[0].length);
    out.push({ ...f, value });
  }
  return out;
}
