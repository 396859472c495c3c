import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { EndpointMap, FieldNode, ObjectNode } from '../../../src/formats/fields/field-map.js';
import { ENDPOINT_MAPS } from '../../../src/formats/fields/maps.js';

/**
 * The field map must classify every field the official OpenAI SDK can send. The request types are
 * read from the installed `openai` package's declarations with the TypeScript compiler, and walked
 * together with the map as deep as the map goes (messages by role, content parts by type, tools,
 * tool calls, response formats, fixed-shape objects): a member the map does not know fails here, so
 * upgrading the SDK cannot silently add a field that is forwarded unvalidated, uncounted or unread.
 */
const require = createRequire(import.meta.url);
// The package root: its main entry (index.js) sits there.
const root = dirname(require.resolve('openai'));
const FILES = {
  chat: join(root, 'resources/chat/completions/completions.d.ts'),
  completions: join(root, 'resources/completions.d.ts'),
  embeddings: join(root, 'resources/embeddings.d.ts'),
};
const ROOT_TYPES = {
  chat: 'ChatCompletionCreateParamsBase',
  completions: 'CompletionCreateParamsBase',
  embeddings: 'EmbeddingCreateParams',
} as const;

const program = ts.createProgram(Object.values(FILES), {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  module: ts.ModuleKind.ESNext,
});
const checker = program.getTypeChecker();

function exported(file: string, name: string): ts.Type {
  const sf = program.getSourceFile(file);
  const mod = sf && checker.getSymbolAtLocation(sf);
  const sym = mod && checker.getExportsOfModule(mod).find((s) => s.name === name);
  if (sym === undefined) throw new Error(`${name} not found in ${file}`);
  return checker.getDeclaredTypeOfSymbol(sym);
}

const NULLISH = ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void;
const parts = (t: ts.Type): ts.Type[] => (t.isUnion() ? t.types : [t]).filter((p) => !(p.flags & NULLISH));
const elementOf = (t: ts.Type): ts.Type | undefined => checker.getIndexTypeOfType(t, ts.IndexKind.Number);

/** A coarse shape of an SDK type: enough to pick the branch of an `either` node. */
function shapeOfType(t: ts.Type): string {
  if (t.flags & ts.TypeFlags.StringLike) return 'string';
  if (t.flags & ts.TypeFlags.NumberLike) return 'number';
  if (t.flags & ts.TypeFlags.BooleanLike) return 'boolean';
  if (checker.isArrayType(t)) {
    const el = elementOf(t);
    return `array:${el === undefined ? '?' : shapeOfType(el)}`;
  }
  return 'object';
}

function shapesOfNode(n: FieldNode): string[] {
  switch (n.node) {
    case 'object':
    case 'tagged':
      return ['object'];
    case 'json':
      return ['*'];
    case 'array':
      return shapesOfNode(n.items).map((s) => `array:${s}`);
    case 'either':
      return n.options.flatMap(shapesOfNode);
    case 'leaf':
      return [shapeOfSchema(n.schema)];
  }
}

interface SchemaShape {
  type?: string;
  enum?: unknown[];
  items?: SchemaShape;
}

function shapeOfSchema(s: SchemaShape): string {
  const type = s.type ?? (Array.isArray(s.enum) ? typeof s.enum[0] : '*');
  if (type === 'integer') return 'number';
  if (type === 'array') return `array:${s.items === undefined ? '*' : shapeOfSchema(s.items)}`;
  return type;
}

const fits = (n: FieldNode, shape: string) =>
  shapesOfNode(n).some((s) => s === '*' || s === shape || (s === 'array:*' && shape.startsWith('array:')));

/** Walks an SDK type and a map node together; returns the paths the map does not classify. */
function unclassified(
  t: ts.Type,
  node: FieldNode,
  path: string,
  out: string[],
  seen: { members: number },
): void {
  for (const part of parts(t)) {
    switch (node.node) {
      case 'object':
        members(part, node, null, path, out, seen);
        break;
      case 'tagged': {
        const tagSym = part.getProperty(node.tag);
        const tagType = tagSym ? checker.getTypeOfSymbol(tagSym) : undefined;
        const tags = tagType ? parts(tagType).filter((p) => p.isStringLiteral()) : [];
        if (tags.length === 0) out.push(`${path} (no '${node.tag}' in ${checker.typeToString(part)})`);
        for (const tag of tags) {
          const value = (tag as ts.StringLiteralType).value;
          const variant = node.variants[value];
          if (variant === undefined) out.push(`${path}[${node.tag}=${value}]`);
          else members(part, variant, node.tag, `${path}[${node.tag}=${value}]`, out, seen);
        }
        break;
      }
      case 'array': {
        const el = elementOf(part);
        if (el === undefined) out.push(`${path} (not an array in the SDK)`);
        else unclassified(el, node.items, `${path}[]`, out, seen);
        break;
      }
      case 'either': {
        const shape = shapeOfType(part);
        const opt = node.options.find((o) => fits(o, shape));
        if (opt === undefined) out.push(`${path} (${checker.typeToString(part)})`);
        else unclassified(part, opt, path, out, seen);
        break;
      }
      case 'leaf': {
        // A fixed-shape object validated by its own schema: its members must be in the schema.
        const props = (node.schema as { properties?: Record<string, unknown> }).properties;
        if (props === undefined || shapeOfType(part) !== 'object') break;
        for (const p of checker.getPropertiesOfType(part)) {
          seen.members++;
          if (!(p.name in props)) out.push(`${path}.${p.name}`);
        }
        break;
      }
      case 'json':
        break;
    }
  }
}

function members(
  t: ts.Type,
  node: ObjectNode,
  tag: string | null,
  path: string,
  out: string[],
  seen: { members: number },
): void {
  for (const p of checker.getPropertiesOfType(t)) {
    seen.members++;
    if (p.name === tag) continue;
    const field = node.fields[p.name];
    const where = path === '' ? p.name : `${path}.${p.name}`;
    if (field === undefined) out.push(where);
    else unclassified(checker.getTypeOfSymbol(p), field, where, out, seen);
  }
}

function audit(endpoint: keyof typeof FILES, map: EndpointMap): { missing: string[]; members: number } {
  const out: string[] = [];
  const seen = { members: 0 };
  unclassified(exported(FILES[endpoint], ROOT_TYPES[endpoint]), map.root, '', out, seen);
  return { missing: out, members: seen.members };
}

describe('the field map classifies every field of the OpenAI SDK request types', () => {
  it.each(['chat', 'completions', 'embeddings'] as const)('%s', (endpoint) => {
    const { missing, members } = audit(endpoint, ENDPOINT_MAPS[endpoint]);
    expect(missing).toEqual([]);
    // The walk really went through the SDK types (a type that failed to resolve would check nothing).
    expect(members).toBeGreaterThan(endpoint === 'chat' ? 100 : 4);
  });

  it('fails when the map lacks a field, at the top or deep inside a tool or a message', () => {
    const chat = ENDPOINT_MAPS.chat;
    const { stop: _stop, ...rest } = chat.root.fields;
    expect(audit('chat', { ...chat, root: { ...chat.root, fields: rest } }).missing).toEqual(['stop']);

    const tools = chat.root.fields.tools;
    if (tools?.node !== 'array' || tools.items.node !== 'tagged') throw new Error('unexpected tools node');
    const fnTool = tools.items.variants.function;
    const fn = fnTool?.fields.function;
    if (fnTool === undefined || fn?.node !== 'object') throw new Error('unexpected function tool node');
    const { description: _d, ...fnRest } = fn.fields;
    const noDescription: EndpointMap = {
      ...chat,
      root: {
        ...chat.root,
        fields: {
          ...chat.root.fields,
          tools: {
            ...tools,
            items: {
              ...tools.items,
              variants: {
                ...tools.items.variants,
                function: { ...fnTool, fields: { function: { ...fn, fields: fnRest } } },
              },
            },
          },
        },
      },
    };
    expect(audit('chat', noDescription).missing).toEqual(['tools[][type=function].function.description']);
  });
});
