import { z } from 'zod';
import { planOverrideSchema } from '../config/schema/limits.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { ACTIONS } from '../formats/guard-names.js';
import { GUARD_TOGGLES, type Overrides } from '../pipeline/overrides.js';

/**
 * Shapes of the overrides document (read back from the store: another replica, or an older
 * version, wrote it) and of the bodies of the override actions. Compiled once at module load.
 */
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/);
const issuedKey = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9]{10}$/),
    hash: z.string().regex(/^(sha256|hmac-sha256):[0-9a-f]{64}$/),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    issuedBy: z.string().min(1).max(256),
    issuedAt: z.iso.datetime({ offset: true }),
  })
  .strict();

export const guardTogglesSchema = z.partialRecord(z.enum(GUARD_TOGGLES), z.enum(ACTIONS));

const consumerOverride = z
  .object({
    disabled: z.boolean().optional(),
    plan: z.string().min(1).max(63).optional(),
    limits: planOverrideSchema.omit({ globalConcurrency: true }).optional(),
    keys: z.array(issuedKey).max(100).optional(),
  })
  .strict();

const routeOverride = z
  .object({
    guard: guardTogglesSchema.optional(),
    model: z.string().min(1).max(256).optional(),
  })
  .strict();

const overridesSchema = z
  .object({
    version: z.number().int().min(0),
    updatedAt: z.string().nullable(),
    consumers: z.record(name, consumerOverride),
    routes: z.record(z.string().min(1).max(128), routeOverride),
  })
  .strict();

export function parseOverrides(raw: unknown): Overrides {
  return overridesSchema.parse(raw) as Overrides;
}

/** Bodies of the override actions (also their JSON Schema in the OpenAPI document). */
export const quotaBody = z
  .object({
    /** Parts of a plan; `null` removes the consumer's quota override. */
    limits: planOverrideSchema.omit({ globalConcurrency: true }).nullable(),
  })
  .strict();
export const planBody = z.object({ plan: z.string().min(1).max(63).nullable() }).strict();
export const enabledBody = z.object({ enabled: z.boolean() }).strict();
export const issueKeyBody = z
  .object({ expiresInDays: z.number().int().min(1).max(3_650).optional() })
  .strict();
export const revokeKeyBody = z.object({ ttlDays: z.number().int().min(1).max(3_650).default(400) }).strict();
export const guardBody = z.object({ guard: guardTogglesSchema.nullable() }).strict();
export const modelBody = z.object({ model: z.string().min(1).max(256).nullable() }).strict();

/** Parses a body with a schema; the first failing path is named (never the value). */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'body' : issue.path.join('.');
  throw new GatehouseError('GH_ERR_ADMIN_INVALID', {
    message: `The request does not match the action schema at ${where}: ${issue?.message ?? 'invalid'}.`,
  });
}

/** JSON Schema of a body, for the OpenAPI document and the route table. */
export function jsonSchemaOf(schema: z.ZodType): object {
  return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as object;
}
