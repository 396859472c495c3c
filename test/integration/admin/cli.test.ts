import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../../src/cli/admin.js';
import { type AdminFixture, startAdminFixture } from './helpers.js';

/** `gatehouse admin ...` against a running admin listener: the same API, roles and audit. */
let f: AdminFixture;
beforeAll(async () => {
  f = await startAdminFixture();
});
afterAll(async () => {
  await f?.close();
});

async function cli(argv: string[], token: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runAdminCommand(argv, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env: { GATEHOUSE_ADMIN_URL: f.admin, GATEHOUSE_ADMIN_TOKEN: token },
  });
  return { code, out, err };
}

describe('gatehouse admin', () => {
  it('reads, changes a quota with a reason, and runs the two-person flow', async () => {
    const op = await f.token(['operator'], 'ops-bot');
    const list = await cli(['consumers'], op);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.out).items.map((c: { name: string }) => c.name)).toEqual(['acme', 'globex']);

    expect((await cli(['quota', 'acme', '--rpm', '10'], op)).code).toBe(2);
    const set = await cli(
      ['quota', 'acme', '--rpm', '10', '--burst', '2', '--reason', 'INC-5 from a runbook'],
      op,
    );
    expect(set.code).toBe(0);
    expect(JSON.parse(set.out).value.requests).toEqual({ perMinute: 10, burst: 2, sustainMinutes: 5 });

    const approverA = await f.token(['approver'], 'anna');
    const approverB = await f.token(['approver'], 'ben');
    const proposed = await cli(
      ['model', 'demo', 'gatehouse-demo-2025-06-01', '--reason', 'CHG-1'],
      approverA,
    );
    expect(proposed.code).toBe(0);
    expect(proposed.err).toContain('proposed');
    const id = JSON.parse(proposed.out).proposal.id as string;
    const self = await cli(['approve', id, '--reason', 'mine'], approverA);
    expect(self.code).toBe(1);
    expect(self.err).toContain('GH_ERR_ADMIN_SELF_APPROVAL');
    const ok = await cli(['approve', id, '--reason', 'reviewed'], approverB);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).proposal.state).toBe('applied');

    const denied = await cli(['disable', 'acme', '--reason', 'nope'], await f.token(['viewer']));
    expect(denied.code).toBe(1);
    expect(denied.err).toContain('GH_ERR_ADMIN_FORBIDDEN');
  });
});
