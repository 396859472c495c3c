import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JsonApi, startJsonApi } from '../../fixtures/mcp/json-api.js';
import { consumerKey, startToolGateway, type ToolGateway, toolError } from './harness.js';

/** The fixture API described as OpenAPI 3 (YAML), with a shared parameter and a body $ref. */
const SPEC = `openapi: 3.0.3
info: { title: shop, version: "1" }
paths:
  /customers/{id}:
    parameters:
      - $ref: '#/components/parameters/CustomerId'
    get:
      operationId: getCustomer
      summary: Read one customer.
      parameters:
        - { name: expand, in: query, schema: { type: boolean } }
  /refunds:
    post:
      operationId: createRefund
      summary: Refund an order.
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Refund' }
components:
  parameters:
    CustomerId: { name: id, in: path, required: true, schema: { type: string, maxLength: 12 } }
  schemas:
    Refund:
      type: object
      required: [amount, order]
      properties:
        amount: { type: number, minimum: 1 }
        order: { type: string }
`;

describe('plain HTTP tools from OpenAPI operations', () => {
  const acme = consumerKey('acme');
  let api: JsonApi;
  let tg: ToolGateway;

  beforeAll(async () => {
    api = await startJsonApi();
    const spec = join(mkdtempSync(join(tmpdir(), 'gh-openapi-')), 'shop.yaml');
    writeFileSync(spec, SPEC);
    tg = await startToolGateway({
      auth: { consumers: [acme.entry] },
      tools: {
        enabled: true,
        servers: [
          {
            name: 'shop',
            transport: { kind: 'rest', baseUrl: api.url },
            tools: [
              {
                name: 'customer',
                access: 'read',
                output: { pii: 'allow' },
                openapi: { spec, operationId: 'getCustomer' },
              },
              { name: 'refund', access: 'write', openapi: { spec, operationId: 'createRefund' } },
            ],
          },
        ],
        access: [{ consumer: 'acme', tools: ['shop.*'] }],
      },
    });
  }, 30_000);
  afterAll(async () => {
    await tg?.close();
    await api?.close();
  });

  it('lists the operations with the schema derived from parameters and body', async () => {
    const c = await tg.client(acme.key);
    const tools = (await c.listTools()).tools;
    const customer = tools.find((t) => t.name === 'shop.customer');
    expect(customer?.description).toBe('Read one customer.');
    expect(customer?.inputSchema).toMatchObject({
      properties: { id: { type: 'string', maxLength: 12 }, expand: { type: 'boolean' } },
      required: ['id'],
      additionalProperties: false,
    });
    expect(tools.find((t) => t.name === 'shop.refund')?.inputSchema.required).toEqual(['amount', 'order']);
  });

  it('calls them with path, query and body in their places, and refuses what the schema refuses', async () => {
    const c = await tg.client(acme.key);
    const before = api.requests.length;
    const r = await c.callTool({ name: 'shop.customer', arguments: { id: 'c9', expand: true } });
    expect(r.structuredContent).toMatchObject({ id: 'c9', name: 'Ada Lovelace' });
    await c.callTool({ name: 'shop.refund', arguments: { amount: 3, order: 'o-oa' } });
    const seen = api.requests.slice(before);
    expect(seen.map((x) => `${x.method} ${x.url}`)).toEqual([
      'GET /customers/c9?expand=true',
      'POST /refunds',
    ]);
    expect(JSON.parse(seen[1]?.body ?? '')).toEqual({ amount: 3, order: 'o-oa' });
    for (const args of [{ id: 'x'.repeat(13) }, { id: 'c9', other: 1 }])
      expect((await toolError(c.callTool({ name: 'shop.customer', arguments: args }))).code).toBe(
        'GH_ERR_TOOL_ARGS_SCHEMA',
      );
    expect(
      (await toolError(c.callTool({ name: 'shop.refund', arguments: { amount: 0, order: 'o' } }))).code,
    ).toBe('GH_ERR_TOOL_ARGS_SCHEMA');
    expect(api.requests.length).toBe(before + 2);
  });
});
