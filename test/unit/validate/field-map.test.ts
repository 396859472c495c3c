import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  childrenOf,
  type EndpointMap,
  type FieldNode,
  optInNames,
  routeMap,
} from '../../../src/formats/fields/field-map.js';
import { fieldMapRows, renderFieldMap } from '../../../src/formats/fields/map-doc.js';
import { DOC_MAPS, ENDPOINT_MAPS } from '../../../src/formats/fields/maps.js';

// The Anthropic Messages ingress map is held to the same invariants.
const MAPS = DOC_MAPS;

describe('docs/field-map.md', () => {
  it('holds exactly the tables rendered from the maps (node --import tsx scripts/field-map-doc.ts)', () => {
    const doc = readFileSync(new URL('../../../docs/field-map.md', import.meta.url), 'utf8');
    const start = doc.indexOf('<!-- field-map:start');
    const end = doc.indexOf('<!-- field-map:end -->');
    expect(start).toBeGreaterThan(0);
    const generated = doc.slice(doc.indexOf('-->', start) + 3, end).trim();
    expect(generated).toBe(renderFieldMap(MAPS).trim());
  });

  it('docs/configuration.md names every opt-in field under routes[].allowFields', () => {
    const conf = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    const line = conf.split('\n').find((l) => l.startsWith('| `allowFields`')) ?? '';
    const names = new Set(MAPS.flatMap((m) => [...optInNames(m.root)]));
    expect(names.size).toBeGreaterThan(5);
    for (const n of names) expect(line).toContain(`\`${n}\``);
  });

  it('lists the fields the issue found unguarded, with their inspection', () => {
    const rows = new Map(fieldMapRows(ENDPOINT_MAPS.chat).map((r) => [r.path, r]));
    expect(rows.get('tools[type=function].function.description')?.inspection).toBe(
      'tool-definition (indirect)',
    );
    expect(
      rows.get('messages[role=assistant].tool_calls[type=function].function.arguments')?.inspection,
    ).toBe('tool-arguments (user)');
    expect(rows.get('response_format[type=json_schema].json_schema.schema')?.inspection).toBe(
      'schema (user)',
    );
    expect(rows.get('response_format[type=json_schema].json_schema.schema')?.counted).toBe(
      'in `response_format`',
    );
    const stop = fieldMapRows(ENDPOINT_MAPS.chat).filter((r) => r.path === 'stop' || r.path === 'stop[]');
    expect(stop.map((r) => r.inspection)).toEqual(['text (data)', '—', 'text (data)']);
  });
});

/** Strings that are not model input: ids, routing keys, media payloads. Anything else must be read. */
const NOT_MODEL_TEXT = new Set([
  'model',
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'id',
  'tool_call_id',
  'file_id',
  'file_data',
  // The Anthropic Messages map: a call id, the end-user id, image bytes (opt-in), a thinking block's signature.
  'tool_use_id',
  'user_id',
  'data',
  'signature',
]);

function leaves(
  node: FieldNode,
  key: string,
  counted: boolean,
  out: Array<[string, FieldNode, boolean]>,
): void {
  const c = counted || node.count === 'json';
  out.push([key, node, c]);
  if (node.node === 'object') for (const [k, f] of Object.entries(node.fields)) leaves(f, k, c, out);
  else for (const child of childrenOf(node)) leaves(child, key, c, out);
}

describe('map invariants', () => {
  const all = MAPS.flatMap((m: EndpointMap) => {
    const out: Array<[string, FieldNode, boolean]> = [];
    leaves(m.root, '', false, out);
    return out.map(([k, n, c]) => [`${m.endpoint}.${k}`, k, n, c] as const);
  });

  it('every inspected field is counted toward maxInputTokens', () => {
    const uncounted = all
      .filter(
        ([, , n, c]) =>
          (n.node === 'leaf' || n.node === 'json') && n.inspect !== 'none' && !c && n.count === 'none',
      )
      .map(([p]) => p);
    expect(uncounted).toEqual([]);
  });

  it('every free-text string is inspected unless it is a known non-model field', () => {
    const unread = all
      .filter(([, k, n]) => {
        if (n.node !== 'leaf' || n.inspect !== 'none') return false;
        const s = n.schema as { type?: string; enum?: unknown; const?: unknown };
        return s.type === 'string' && s.enum === undefined && !NOT_MODEL_TEXT.has(k);
      })
      .map(([p]) => p);
    expect(unread).toEqual([]);
  });

  it('every number is bounded on both sides (Infinity cannot pass)', () => {
    const open: string[] = [];
    const visit = (s: unknown, at: string) => {
      if (s === null || typeof s !== 'object') return;
      const o = s as Record<string, unknown>;
      if (
        (o.type === 'integer' || o.type === 'number') &&
        (o.minimum === undefined || o.maximum === undefined)
      )
        open.push(at);
      for (const [k, v] of Object.entries(o)) visit(v, `${at}/${k}`);
    };
    for (const [p, , n] of all) if (n.node === 'leaf') visit(n.schema, p);
    expect(open).toEqual([]);
  });

  it('a route view drops opt-in fields it does not allow and adds the extra fields it does', () => {
    const strict = routeMap(ENDPOINT_MAPS.chat);
    expect('store' in strict.root.fields).toBe(false);
    expect('guided_json' in strict.root.fields).toBe(false);
    const open = routeMap(ENDPOINT_MAPS.chat, ['store', 'guided_json']);
    expect(open.root.fields.store?.node).toBe('leaf');
    expect(open.root.fields.guided_json).toMatchObject({
      node: 'json',
      inspect: 'structured',
      count: 'json',
    });
  });
});
