import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURES } from '../../../src/boot/features.js';
import { ADMIN_ROLES, type AdminRole } from '../../../src/pipeline/admin.js';
import { type AdminFixture, startAdminFixture } from './helpers.js';

/**
 * Every mounted admin route, from the generated OpenAPI document (so a new route is in this table
 * by existing): it declares a role, refuses a caller without credentials, and refuses a caller
 * whose roles are just below the declared one, whatever the method. The document itself is a
 * valid OpenAPI 3.1 document.
 */
let f: AdminFixture;
let doc: {
  paths: Record<string, Record<string, { 'x-gatehouse-role'?: string; 'x-gatehouse-action'?: string }>>;
};
beforeAll(async () => {
  f = await startAdminFixture();
  doc = (await f.call('GET', '/admin/v1/openapi.json', { token: await f.token(['viewer']) })).body;
});
afterAll(async () => {
  await f?.close();
});

const below = (role: AdminRole): AdminRole[] => {
  const i = ADMIN_ROLES.indexOf(role);
  return i === 0 ? [] : [ADMIN_ROLES[i - 1] as AdminRole];
};

describe('admin routes: roles', () => {
  it('every feature route declares a known role, and every mutation an action kind', () => {
    for (const f of FEATURES)
      for (const r of f.adminRoutes ?? []) {
        expect(ADMIN_ROLES, `${f.name} ${r.method} ${r.path}`).toContain(r.role);
        if (r.method !== 'GET')
          expect(r.action, `${f.name} ${r.method} ${r.path}`).toMatch(/^[a-z][a-z0-9.@-]+$/);
      }
  });

  it('the document lists every mounted route with its role', () => {
    const declared = FEATURES.flatMap((x) => x.adminRoutes ?? []).length;
    const listed = Object.values(doc.paths).flatMap((ops) => Object.values(ops));
    // Every feature route plus the listener's own two (openapi.json, console/pages).
    expect(listed.length).toBe(declared + 2);
    for (const op of listed) expect(ADMIN_ROLES).toContain(op['x-gatehouse-role']);
  });

  it('each route refuses no credential and the role below its own', async () => {
    const rows = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        method: method.toUpperCase(),
        path: path.replace(/\{[^}]+\}/g, 'x'),
        role: op['x-gatehouse-role'] as AdminRole,
      })),
    );
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      const body = row.method === 'GET' ? undefined : {};
      const anon = await f.call(row.method, row.path, { body, reason: 'role test' });
      expect(anon.status, `${row.method} ${row.path} without credentials`).toBe(401);
      const none = await f.call(row.method, row.path, {
        token: await f.token([], 'norole'),
        body,
        reason: 'role test',
      });
      expect(none.status, `${row.method} ${row.path} without a role`).toBe(403);
      for (const r of below(row.role)) {
        const res = await f.call(row.method, row.path, {
          token: await f.token([r]),
          body,
          reason: 'role test',
        });
        expect(res.status, `${row.method} ${row.path} as ${r} (needs ${row.role})`).toBe(403);
        expect(res.body.error.code).toBe('GH_ERR_ADMIN_FORBIDDEN');
      }
    }
  });
});

describe('admin OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const v = new Validator();
    const r = await v.validate(doc);
    expect(r.errors ?? []).toEqual([]);
    expect(r.valid).toBe(true);
    expect(v.version).toBe('3.1');
  });

  it('documents the role, action and body schema of a mutation', () => {
    const op = doc.paths['/admin/v1/consumers/{id}/quota']?.put as Record<string, unknown>;
    expect(op['x-gatehouse-role']).toBe('operator');
    expect(op['x-gatehouse-action']).toBe('quota.set');
    expect(JSON.stringify(op.requestBody)).toContain('perMinute');
  });
});
