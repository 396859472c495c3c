/**
 * Renders the field maps as the Markdown tables of docs/field-map.md. The docs are generated from
 * the data (`node --import tsx scripts/field-map-doc.ts > docs/field-map.md`), and a test fails when
 * the file differs, so the documentation cannot drift from what the gateway does.
 */
import type { EndpointMap, FieldNode, JsonSchema, TextKind } from './field-map.js';
import { EXTRA_FIELD } from './field-map.js';

interface Row {
  readonly path: string;
  readonly allowed: string;
  readonly validation: string;
  readonly counted: string;
  readonly inspection: string;
  readonly doc: string;
}

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

function describeSchema(s: JsonSchema): string {
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' or ');
  if (Array.isArray(s.anyOf)) return (s.anyOf as JsonSchema[]).map(describeSchema).join(' or ');
  const range = (unit: string) => {
    const lo = s.minimum;
    const hi = s.maximum;
    return lo !== undefined && hi !== undefined ? `${unit} ${lo}..${hi}` : unit;
  };
  switch (s.type) {
    case 'string': {
      const parts = ['string'];
      if (s.minLength !== undefined) parts.push(`≥ ${s.minLength} chars`);
      if (s.maxLength !== undefined) parts.push(`≤ ${s.maxLength} chars`);
      if (s.pattern !== undefined) parts.push(`\`${s.pattern}\``);
      return parts.join(', ');
    }
    case 'integer':
      return range('integer');
    case 'number':
      return range('number');
    case 'boolean':
      return 'boolean';
    case 'array': {
      const items = s.items === undefined ? 'any' : describeSchema(s.items as JsonSchema);
      const max = s.maxItems !== undefined ? `, ≤ ${s.maxItems}` : '';
      return `array of ${items}${max}`;
    }
    case 'object': {
      if (s.properties !== undefined) {
        const keys = Object.keys(s.properties as object);
        return keys.length === 0 ? 'object' : `object {${keys.join(', ')}}`;
      }
      if (s.additionalProperties !== undefined && typeof s.additionalProperties === 'object') {
        const max = s.maxProperties !== undefined ? ` (≤ ${s.maxProperties} keys)` : '';
        return `object of ${describeSchema(s.additionalProperties as JsonSchema)}${max}`;
      }
      return 'JSON object';
    }
    default:
      return 'any JSON';
  }
}

function validationOf(n: FieldNode): string {
  let v: string;
  switch (n.node) {
    case 'leaf':
    case 'json':
      v = describeSchema(n.schema);
      break;
    case 'object': {
      const req = n.required?.length ? `; requires ${n.required.join(', ')}` : '';
      v = `object, closed${req}`;
      break;
    }
    case 'array':
      v = `array, ${n.minItems !== undefined ? `${n.minItems}..` : '≤ '}${n.maxItems} items`;
      break;
    default:
      v = '';
  }
  return n.nullable === true ? `${v}, or null` : v;
}

function inspectionOf(n: FieldNode, kind: TextKind): string {
  if (n.node === 'leaf' || n.node === 'json') return n.inspect === 'none' ? 'none' : `${n.inspect} (${kind})`;
  return '—';
}

function countedOf(n: FieldNode, countedBy: string | null): string {
  if (countedBy !== null) return `in \`${countedBy}\``;
  const c = n.count ?? 'none';
  return c === 'none' ? (n.node === 'leaf' || n.node === 'json' ? 'no' : '—') : c;
}

function rows(n: FieldNode, path: string, kind: TextKind, countedBy: string | null, out: Row[]): void {
  const k = n.kind ?? kind;
  const by = countedBy ?? (n.count === 'json' ? path : null);
  if (n.node !== 'either' && n.node !== 'tagged') {
    out.push({
      path,
      allowed: n.optIn === undefined ? 'yes' : `opt-in \`${n.optIn}\``,
      validation: validationOf(n),
      counted: countedOf(n, countedBy),
      inspection: inspectionOf(n, k),
      doc: n.doc,
    });
  }
  switch (n.node) {
    case 'object':
      for (const [key, f] of Object.entries(n.fields))
        rows(f, path === '' ? key : `${path}.${key}`, k, by, out);
      return;
    case 'array':
      rows(n.items, `${path}[]`, k, by, out);
      return;
    case 'either':
      for (const o of n.options) rows(o, path, k, by, out);
      return;
    case 'tagged':
      for (const [tag, v] of Object.entries(n.variants)) {
        const base = path.endsWith('[]') ? path.slice(0, -2) : path;
        rows({ ...v, nullable: n.nullable }, `${base}[${n.tag}=${tag}]`, k, by, out);
      }
      return;
    default:
      return;
  }
}

export function fieldMapRows(map: EndpointMap): Row[] {
  const out: Row[] = [];
  rows(map.root, '', 'user', null, out);
  return out.filter((r) => r.path !== '');
}

export function renderFieldMap(maps: readonly EndpointMap[]): string {
  const lines: string[] = [];
  for (const map of maps) {
    lines.push(`### ${map.endpoint}`, '');
    const f = map.framing;
    if (f.base > 0 || f.perItem > 0)
      lines.push(
        `Token framing added to the counted fields: ${f.base} per request, ${f.perItem} per \`${f.items}\` entry, ${f.perName} more per entry with a \`name\`.`,
        '',
      );
    lines.push(
      '| field | allowed | validation | counted | inspection | what it is |',
      '|---|---|---|---|---|---|',
    );
    for (const r of fieldMapRows(map))
      lines.push(
        `| \`${r.path}\` | ${cell(r.allowed)} | ${cell(r.validation)} | ${cell(r.counted)} | ${cell(r.inspection)} | ${cell(r.doc)} |`,
      );
    lines.push('');
  }
  lines.push(
    '### extra provider fields',
    '',
    `A name in \`routes[].allowFields\` that is not on the map above: ${EXTRA_FIELD.doc}. Validation: ${describeSchema(EXTRA_FIELD.schema)} (bounded by the body size and depth caps). Inspection: ${EXTRA_FIELD.inspect} (user).`,
    '',
  );
  return lines.join('\n');
}
