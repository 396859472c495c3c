import type { AdminRouteDef } from '../../pipeline/admin.js';
import { defineService } from '../../pipeline/slot.js';
import type { Approvals } from './approvals.js';

/** Set by the tools feature's service when tools are enabled. */
export const TOOL_APPROVALS = defineService<Approvals>('tools.approvals');

const MAX_LISTED = 500;

/**
 * The approval queue in the control plane (src/pipeline/admin.ts): the admin listener checks the
 * role, the reason and the two-person rule, and audits; these handlers only act.
 */
export const APPROVAL_ROUTES: readonly AdminRouteDef[] = [
  {
    method: 'GET',
    path: '/tools/approvals',
    role: 'viewer',
    summary: 'Pending tool-call approvals (principal, tool, argument preview, hashes, expiry)',
    create: (rt) => async () => ({ body: { data: await TOOL_APPROVALS.require(rt).pending(MAX_LISTED) } }),
  },
  {
    method: 'POST',
    path: '/tools/approvals/:id/approve',
    role: 'approver',
    action: 'tools.approve',
    summary: 'Approve one parked tool call: it may then run once, with exactly the same arguments',
    body: { type: 'object', additionalProperties: false, properties: {} },
    create: (rt) => async (req) => {
      const id = req.params.id ?? '';
      const { before, after } = await TOOL_APPROVALS.require(rt).decide(
        id,
        'approve',
        req.operator.id,
        req.reason,
      );
      return {
        body: after,
        change: { target: `tool-approval:${id}`, before: before.status, after: after.status },
      };
    },
  },
  {
    method: 'POST',
    path: '/tools/approvals/:id/deny',
    role: 'approver',
    action: 'tools.deny',
    summary: 'Deny one parked tool call',
    body: { type: 'object', additionalProperties: false, properties: {} },
    create: (rt) => async (req) => {
      const id = req.params.id ?? '';
      const { before, after } = await TOOL_APPROVALS.require(rt).decide(
        id,
        'deny',
        req.operator.id,
        req.reason,
      );
      return {
        body: after,
        change: { target: `tool-approval:${id}`, before: before.status, after: after.status },
      };
    },
  },
];
