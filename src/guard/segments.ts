/**
 * The texts of a request body that the input guard scans, found by walking the route's field map
 * (src/formats/fields/field-map.ts): every field the map marks for inspection becomes a segment with
 * its kind, so nothing the model reads is skipped and a new field cannot be forgotten here.
 *
 * - `text`, `tool-definition`: the string;
 * - `schema`, `structured` (JSON values) and `tool-arguments` (a JSON string): every key and string in
 *   it; redaction rewrites each one in place and a JSON string is serialised again, so it stays valid
 *   JSON. Arguments that are not a JSON object or array are one text.
 *
 * The strings of one message, one tool, or one other top-level field (same kind) form one segment,
 * one string per line: one scan per message rather than per string.
 *
 * Kinds come from the map: `user` for what the consumer (or the model, in replayed turns and tool-call
 * arguments) wrote, `indirect` for tool definitions, tool results and embeddings inputs, `system` for
 * the operator's system or developer prompt, which is not scanned for injection.
 */
import type { EndpointMap, FieldNode, Inspection, TextKind, Where } from '../formats/fields/field-map.js';
import { indexOf, walkBody } from '../formats/fields/field-map.js';
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
  /** The sanitised strings joined, which leaf offsets point into (absent for a plain text segment). */
  readonly expected?: string;
  /** Writes the container back after leaves were set (serialises a JSON string again). */
  commit(): void;
}

/**
 * The guard's kind for a map kind: `data` (stop sequences) gets what the system prompt gets, the
 * credential and personal-data detectors without injection.
 */
const SEGMENT_KIND: Readonly<Record<TextKind, SegmentKind>> = {
  user: 'user',
  indirect: 'indirect',
  system: 'system',
  data: 'system',
};

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
function joined(leaves: readonly RawLeaf[]): { text: string; expected: string; leaves: Leaf[] } {
  const out: Leaf[] = [];
  const clean: string[] = [];
  let at = 0;
  for (const l of leaves) {
    const c = sanitise(l.raw);
    clean.push(c);
    out.push({ raw: l.raw, start: at, end: at + c.length, set: l.set });
    at += c.length + 1;
  }
  return { text: leaves.map((l) => l.raw).join('\n'), expected: clean.join('\n'), leaves: out };
}

/** The strings one field contributes, and what to do once they were rewritten. */
interface Part {
  readonly inspect: Inspection;
  readonly leaves: RawLeaf[];
  readonly commit: () => void;
}

function partOf(node: FieldNode, value: unknown, set: (v: unknown) => void): Part | null {
  if (node.node === 'json') return { inspect: node.inspect, leaves: jsonLeaves(value, set), commit: noop };
  if (node.node !== 'leaf' || typeof value !== 'string' || node.inspect === 'none') return null;
  if (node.inspect === 'tool-arguments') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = null;
    }
    // Arguments that are not a JSON object or array are read as one text.
    if (typeof parsed === 'object' && parsed !== null) {
      const holder: { v: unknown } = { v: parsed };
      return {
        inspect: 'tool-arguments',
        leaves: jsonLeaves(parsed, (x) => (holder.v = x)),
        commit: () => set(JSON.stringify(holder.v)),
      };
    }
  }
  return { inspect: node.inspect, leaves: [{ raw: value, set }], commit: noop };
}

interface Group {
  readonly key: string;
  readonly where: Where;
  readonly inspect: Inspection;
  readonly leaves: RawLeaf[];
  readonly commits: Array<() => void>;
  /** Whether the only leaf is a plain string (scanned and rewritten exactly as before grouping). */
  plain: boolean;
}

function segmentOfGroup(g: Group): Segment | null {
  const base = {
    kind: SEGMENT_KIND[g.where.kind],
    role: g.where.role,
    index: indexOf(g.where),
    inspect: g.inspect,
  };
  const [first] = g.leaves;
  if (first === undefined) return null;
  if (g.plain && g.leaves.length === 1)
    return {
      ...base,
      text: first.raw,
      leaves: [{ raw: first.raw, start: 0, end: Number.POSITIVE_INFINITY, set: first.set }],
      commit: noop,
    };
  const j = joined(g.leaves);
  return {
    ...base,
    text: j.text,
    leaves: j.leaves,
    expected: j.expected,
    commit: () => {
      for (const c of g.commits) c();
    },
  };
}

/**
 * The segments of a validated body, in body order, from the route's map for this endpoint. The
 * strings of one message (its parts, name, refusal, tool-call arguments), of one tool definition, or of
 * one other top-level field are one segment, so a message of many parts or a tool with a large schema
 * costs one scan, not one per string.
 */
export function segmentsOf(map: EndpointMap, body: Record<string, unknown>): Segment[] {
  const out: Segment[] = [];
  let group: Group | null = null;
  const flush = () => {
    const seg = group === null ? null : segmentOfGroup(group);
    if (seg !== null) out.push(seg);
    group = null;
  };
  walkBody(map, body, (node, value, set, where) => {
    const part = partOf(node, value, set);
    if (part !== null) {
      const key = `${where.field}|${indexOf(where)}|${where.kind}`;
      if (group?.key !== key) {
        flush();
        group = { key, where, inspect: part.inspect, leaves: [], commits: [], plain: true };
      }
      group.leaves.push(...part.leaves);
      if (part.commit !== noop) group.commits.push(part.commit);
      if (node.node === 'json' || part.inspect === 'tool-arguments') group.plain = false;
    }
    // A JSON value is read whole; below it there is nothing more on the map.
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
