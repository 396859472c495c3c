import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/errors/catalog.js';
import { errorBody, GatehouseError, toGatehouseError } from '../../src/errors/gatehouse-error.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

describe('error catalog', () => {
  // Rows look like `| \`GH_ERR_X\` | 400 | when |`, with any padding a markdown formatter adds.
  const rows = new Map(
    [...doc.matchAll(/^\|\s*`(GH_ERR_[A-Z0-9_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map((m) => [m[1]!, Number(m[2])]),
  );

  it.each(Object.keys(ERRORS))('%s is documented with its status', (code) => {
    expect(rows.has(code), `docs/errors.md has no row for ${code}`).toBe(true);
    expect(rows.get(code)).toBe(ERRORS[code as keyof typeof ERRORS].status);
  });

  it('documents no code that does not exist', () => {
    for (const c of rows.keys()) expect(Object.keys(ERRORS)).toContain(c);
  });

  it('every code is GH_ERR_* with an HTTP error status', () => {
    for (const [code, def] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^GH_ERR_[A-Z0-9_]+$/);
      expect(def.status).toBeGreaterThanOrEqual(400);
      expect(def.status).toBeLessThan(600);
    }
  });

  it('serialises in the OpenAI shape without internal details', () => {
    const err = toGatehouseError(new Error('ECONNREFUSED 10.0.0.7:8000 secret=abc'));
    const body = JSON.parse(errorBody(err, 'req_1'));
    expect(body).toEqual({
      error: {
        message: 'Internal gateway error.',
        type: 'server_error',
        param: null,
        code: 'GH_ERR_INTERNAL',
        request_id: 'req_1',
      },
    });
    expect(new GatehouseError('GH_ERR_UNKNOWN_MODEL').status).toBe(404);
  });
});
