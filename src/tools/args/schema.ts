import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { RE2JS } from 're2js';

/**
 * Schema `pattern`s from upstream servers are untrusted: RE2 (linear time), never the JS engine.
 * `toString` matters: Ajv caches compiled patterns under `String(rx)`, so without it every pattern
 * of the instance would share the first one's matcher.
 */
const re2Engine = Object.assign(
  (pattern: string, flags: string) => {
    const re = RE2JS.compile(pattern, flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
    return { test: (s: string) => re.test(s), toString: () => `/${pattern}/${flags}` };
  },
  { code: 'RE2JS' },
);

/** Upstream schemas larger than this are refused at compile (the tool is then unavailable). */
const MAX_SCHEMA_BYTES = 256 * 1024;

export type SchemaCheck = (args: Record<string, unknown>) => string | null;

/**
 * One Ajv (JSON Schema 2020-12) per gateway; each tool's input schema is compiled once, when its
 * definition is listed, never per call. Servers that still declare draft-07 get their `$schema`
 * dropped: the keywords tool schemas use mean the same in both drafts.
 *
 * The top-level object is closed: unless the schema says `additionalProperties` itself, an argument
 * the tool does not declare is refused (an agent smuggling an undeclared flag is the threat here).
 */
export function createSchemaCompiler(): (schema: unknown) => SchemaCheck {
  const ajv = new Ajv2020({
    strict: false,
    allErrors: false,
    validateSchema: true,
    addUsedSchema: false,
    code: { regExp: re2Engine },
  });
  return (schema) => {
    if (JSON.stringify(schema ?? {}).length > MAX_SCHEMA_BYTES) throw new Error('input schema too large');
    const s: Record<string, unknown> =
      schema !== null && typeof schema === 'object' ? { ...(schema as Record<string, unknown>) } : {};
    delete s.$schema;
    delete s.$id;
    if (s.type === undefined) s.type = 'object';
    if (s.additionalProperties === undefined && s.unevaluatedProperties === undefined)
      s.additionalProperties = false;
    const validate: ValidateFunction = ajv.compile(s);
    return (args) => {
      if (validate(args)) return null;
      const e = validate.errors?.[0];
      // The path and keyword only: never the offending value.
      return e === undefined ? 'invalid' : `${e.instancePath || '(root)'} ${e.keyword}`;
    };
  };
}
