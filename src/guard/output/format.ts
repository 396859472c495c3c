/**
 * `response_format` checks. A request's JSON schema is compiled once per distinct schema (sha-256
 * of its serialisation) and kept in a bounded LRU, so a consumer sending the same schema on every
 * request pays the compile once and a consumer sending a new one each time cannot grow memory.
 * Patterns in consumer schemas run on re2js (linear time): a consumer cannot make the gateway
 * backtrack for ever on the model's answer.
 */
import { createHash } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import { RE2JS } from 're2js';
import { GatehouseError } from '../../errors/gatehouse-error.js';

export type FormatCheck =
  | { readonly kind: 'json_object' }
  | { readonly kind: 'json_schema'; readonly validate: ValidateFunction };

const re2Engine = Object.assign(
  (pattern: string, flags: string) => {
    const re = RE2JS.compile(pattern, flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
    // Ajv caches patterns under String(rx): without toString every pattern shares the first matcher.
    return { test: (s: string) => re.test(s), toString: () => `/${pattern}/${flags}` };
  },
  { code: 'RE2JS' },
);

export class ValidatorCache {
  private readonly ajv = new Ajv({
    strict: false,
    allErrors: false,
    validateSchema: true,
    addUsedSchema: false,
    code: { regExp: re2Engine },
  });
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(
    private readonly size: number,
    private readonly maxSchemaBytes: number,
  ) {}

  get entries(): number {
    return this.cache.size;
  }

  compile(schema: unknown): ValidateFunction {
    const text = JSON.stringify(schema);
    if (
      text === undefined ||
      text.length > this.maxSchemaBytes ||
      typeof schema !== 'object' ||
      schema === null
    )
      throw new GatehouseError('GH_ERR_RESPONSE_FORMAT_INVALID');
    const key = createHash('sha256').update(text).digest('base64url');
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      // Most recently used goes last; the first key is the one to evict.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    let fn: ValidateFunction;
    // A private copy: the compiled function must not see later edits of the request body.
    const copy = JSON.parse(text) as Record<string, unknown>;
    try {
      fn = this.ajv.compile(copy);
    } catch (err) {
      throw new GatehouseError('GH_ERR_RESPONSE_FORMAT_INVALID', { cause: err });
    } finally {
      this.ajv.removeSchema(copy);
    }
    this.cache.set(key, fn);
    const oldest = this.cache.keys().next();
    if (this.cache.size > this.size && oldest.done !== true) this.cache.delete(oldest.value);
    return fn;
  }
}

/** The check the request asks for, or null. Throws GH_ERR_RESPONSE_FORMAT_INVALID on an unusable schema. */
export function formatCheckOf(body: Record<string, unknown>, cache: ValidatorCache): FormatCheck | null {
  const rf = body.response_format as { type?: unknown; json_schema?: { schema?: unknown } } | undefined;
  if (rf === null || typeof rf !== 'object') return null;
  if (rf.type === 'json_object') return { kind: 'json_object' };
  if (rf.type !== 'json_schema') return null;
  const schema = rf.json_schema?.schema;
  if (schema === undefined) throw new GatehouseError('GH_ERR_RESPONSE_FORMAT_INVALID');
  return { kind: 'json_schema', validate: cache.compile(schema) };
}

/** Whether `text` satisfies the check. Never throws. */
export function checkFormat(check: FormatCheck, text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  if (check.kind === 'json_object')
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  try {
    return check.validate(value) === true;
  } catch {
    return false;
  }
}
