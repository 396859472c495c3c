/**
 * The texts of a request body that the input guard scans, found by walking the route's field map
 * (src/edge/validate/field-map.ts): every field the map marks for inspection becomes a segment with
 * its kind, so nothing the model reads is skipped and a new field cannot be forgotten here.
 *
 * - `text`: the plain texts of one message (or one top-level field), one segment;
 * - `tool-definition`: one string, one segment;
 * - `schema`, `structured` (JSON values) and `tool-arguments` (a JSON string): one segment per value,
 *   whose text is every key and string in it, one per line; redaction rewrites each one in place and a
 *   JSON string is serialised again, so it stays valid JSON. Arguments that are not JSON are one text.
 *
 * Kinds come from the map: `user` for what the consumer (or the model, in replayed turns and tool-call
 * arguments) wrote, `indirect` for tool definitions, tool results and embeddings inputs, `system` for
 * the operator's system or developer prompt, which is not scanned for injection.
 */
import type { EndpointMap, FieldNode, Inspection, Where } from '../edge/validate/field-map.js';
import { indexOf, walkBody } from '../edge/validate/field-map.js';
import { sanitise } from './normalise.js';
import type { SegmentKind } from './types.js';

/** One string inside a segment: `[start, end)` in the segment's sanitised text. */
export interface Leaf {
  readonly raw: string;
  readonly start: number;
  readonly end: number;
  set(text: string): void;
}

export interface Segment {
  readonly kind: SegmentKind;
  /** The chat role, or the top-level field name. */
  readonly role: string;
  /** Index of the chat message (or of the prompt/input entry). */
  readonly index: number;
  readonly inspect: Inspection;
  /** What the detectors read: the string, or a JSON value's keys and strings joined by newlines. */
  readonly text: string;
  /** The strings the text is made of; a plain text segment has one leaf covering all of it. */
  readonly leaves: readonly Leaf[];
  /** Writes the container back after leaves were set (serialises a JSON string again). */
  commit(): void;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const noop = () => {};

interface RawLeaf {
  readonly raw: string;
  set(text: string): void;
}

/**
 * Every key and string of a JSON value, iteratively (no recursion on client-controlled depth). A key
 * rename keeps its value: value setters look the key up through a slot that the rename updates.
 */
function jsonLeaves(root: unknown, setRoot: (v: unknown) => void): RawLeaf[] {
  const out: RawLeaf[] = [];
  // Children are pushed in reverse so that they pop in document order: each key just before its
  // value, so the joined text reads like the JSON does.
  const stack: Array<[unknown, (v: unknown) => void, RawLeaf | null]> = [[root, setRoot, null]];
  while (stack.length > 0) {
    const [v, set, key] = stack.pop() as [unknown, (v: unknown) => void, RawLeaf | null];
    if (key !== null) out.push(key);
    if (typeof v === 'string') out.push({ raw: v, set });
    else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], (x) => (v[i] = x), null]);
    } else if (isObj(v)) {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const slot = { key: keys[i] as string };
        const keyLeaf: RawLeaf = {
          raw: slot.key,
          set: (nk) => {
            if (nk === slot.key || Object.hasOwn(v, nk)) return;
            v[nk] = v[slot.key];
            delete v[slot.key];
            slot.key = nk;
          },
        };
        stack.push([v[slot.key], (x) => (v[slot.key] = x), keyLeaf]);
      }
    }
  }
  return out;
}

/**
 * Joins raw strings with newlines and records where each lands in the sanitised join. Sanitising
 * (NFKC, then removal of invisibles) never crosses a newline, so the sanitised join is the join of
 * the sanitised strings; the stage checks that before it trusts these offsets.
 */
function joined(leaves: readonly RawLeaf[]): { text: string; leaves: Leaf[] } {
  const out: Leaf[] = [];
  let at = 0;
  for (const l of leaves) {
    const len = sanitise(l.raw).length;
    out.push({ raw: l.raw, start: at, end: at + len, set: l.set });
    at += len + 1;
  }
  return { text: leaves.map((l) => l.raw).join('\n'), leaves: out };
}

function single(text: string, set: (text: string) => void, where: Where, inspect: Inspection): Segment {
  return {
    kind: where.kind,
    role: where.role,
    index: indexOf(where),
    inspect,
    text,
    leaves: [{ raw: text, start: 0, end: Number.POSITIVE_INFINITY, set }],
    commit: noop,
  };
}

function composite(
  leaves: readonly RawLeaf[],
  where: Where,
  inspect: Inspection,
  commit: () => void,
): Segment | null {
  if (leaves.length === 0) return null;
  const j = joined(leaves);
  return {
    kind: where.kind,
    role: where.role,
    index: indexOf(where),
    inspect,
    text: j.text,
    leaves: j.leaves,
    commit,
  };
}

function segmentOf(node: FieldNode, value: unknown, set: (v: unknown) => void, where: Where): Segment | null {
  if (node.node === 'json') {
    return composite(jsonLeaves(value, set), where, node.inspect, noop);
  }
  if (node.node !== 'leaf' || typeof value !== 'string') return null;
  if (node.inspect === 'tool-arguments') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return single(value, set, where, 'tool-arguments');
    }
    if (typeof parsed !== 'object' || parsed === null) return single(value, set, where, 'tool-arguments');
    const holder: { v: unknown } = { v: parsed };
    return composite(
      jsonLeaves(parsed, (x) => (holder.v = x)),
      where,
      'tool-arguments',
      () => set(JSON.stringify(holder.v)),
    );
  }
  return node.inspect === 'none' ? null : single(value, set, where, node.inspect);
}

/**
 * The segments of a validated body, in body order, from the route's map for this endpoint. Plain
 * texts of one message (its parts, name, refusal) or of one top-level field are one segment, so a
 * message of 30,000 one-word parts costs one scan, not 30,000.
 */
export function segmentsOf(map: EndpointMap, body: Record<string, unknown>): Segment[] {
  const out: Segment[] = [];
  let group: { key: string; where: Where; leaves: RawLeaf[] } | null = null;
  const flush = () => {
    if (group === null) return;
    const [first] = group.leaves;
    if (group.leaves.length === 1 && first !== undefined)
      out.push(single(first.raw, first.set, group.where, 'text'));
    else {
      const seg = composite(group.leaves, group.where, 'text', noop);
      if (seg !== null) out.push(seg);
    }
    group = null;
  };
  walkBody(map, body, (node, value, set, where) => {
    if (node.node === 'leaf' && node.inspect === 'text' && typeof value === 'string') {
      const key = `${where.field}|${indexOf(where)}|${where.kind}`;
      if (group?.key !== key) {
        flush();
        group = { key, where, leaves: [] };
      }
      group.leaves.push({ raw: value, set });
      return true;
    }
    const seg = segmentOf(node, value, set, where);
    if (seg !== null) {
      flush();
      out.push(seg);
    }
    // A JSON value is one segment; below it there is nothing more on the map.
    return node.node !== 'json';
  });
  flush();
  return out;
}

/** Roles present in a chat body (for the allowed-roles rule) and the message count. */
export function chatShape(body: Record<string, unknown>): { roles: string[]; count: number } {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const roles = messages.map((m: unknown) => (isObj(m) && typeof m.role === 'string' ? m.role : ''));
  return { roles, count: messages.length };
}
