import { ERRORS } from '../errors/catalog.js';
import { ADMIN_ROLES } from '../pipeline/admin.js';
import type { MountedRoute } from './router.js';

/**
 * The admin API's OpenAPI 3.1 document, generated from the mounted route table (so a route that
 * exists is documented, with its role and action kind) and served at /admin/v1/openapi.json.
 */
export function buildOpenApi(routes: readonly MountedRoute[], version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  const adminCodes = Object.keys(ERRORS).filter((c) => c.startsWith('GH_ERR_ADMIN_'));
  for (const r of routes) {
    const d = r.def;
    const path = `/admin/v1${d.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`;
    const params = r.segments
      .filter((s) => s.startsWith(':'))
      .map((s) => ({ name: s.slice(1), in: 'path', required: true, schema: { type: 'string' } }));
    const mutating = d.method !== 'GET';
    const op: Record<string, unknown> = {
      operationId: `${d.method.toLowerCase()}${d.path.replace(/[/:]+([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')}`,
      summary: d.summary,
      tags: [r.feature],
      'x-gatehouse-role': d.role,
      ...(d.action !== undefined && { 'x-gatehouse-action': d.action }),
      parameters: [
        ...params,
        ...(mutating
          ? [
              {
                name: 'x-gatehouse-reason',
                in: 'header',
                required: false,
                description: 'Why (required here or as the body field `reason`, 3–500 characters).',
                schema: { type: 'string', minLength: 3, maxLength: 500 },
              },
            ]
          : []),
      ],
      responses: {
        '200': { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } },
        ...(mutating && {
          '202': {
            description: 'Two-person action: proposed, applied once a different approver approves it',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Proposed' } } },
          },
        }),
        default: {
          description: `Error (${adminCodes.join(', ')})`,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      security: [{ oidc: [] }, { adminKey: [] }, { mtls: [] }, { consoleSession: [] }],
    };
    if (mutating)
      op.requestBody = {
        required: false,
        content: { 'application/json': { schema: stripDialect(d.body ?? { type: 'object' }) } },
      };
    paths[path] ??= {};
    (paths[path] as Record<string, object>)[d.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Gatehouse admin API',
      version,
      description: `Control plane of the gateway (docs/control-plane.md). Roles, lowest first: ${ADMIN_ROLES.join(', ')}.`,
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        oidc: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Operator token from admin.oidc.issuer',
        },
        adminKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'Admin API key gha_… (tier 1 deployments only)',
        },
        mtls: { type: 'mutualTLS', description: 'Client certificate mapped in admin.certificates' },
        consoleSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'gh_admin',
          description: 'Console session (x-csrf-token on mutations)',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['message', 'type', 'code', 'request_id'],
              properties: {
                message: { type: 'string' },
                type: { type: 'string' },
                param: { type: ['string', 'null'] },
                code: { type: 'string' },
                request_id: { type: 'string' },
              },
            },
          },
        },
        Proposed: {
          type: 'object',
          required: ['proposal'],
          properties: { proposal: { type: 'object' } },
        },
      },
    },
  };
}

/** Zod's JSON Schema names its dialect; inside an OpenAPI 3.1 document the default dialect applies. */
function stripDialect(schema: object): object {
  const { $schema: _s, ...rest } = schema as Record<string, unknown>;
  return rest;
}
