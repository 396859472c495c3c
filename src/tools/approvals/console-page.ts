import type { AdminPageDef } from '../../pipeline/admin.js';

/**
 * Pending tool-call approvals in the operator console (issue 19): what was asked (principal, tool,
 * redacted argument preview), approved or denied through ./routes.ts.
 */
export const approvalsConsolePage: AdminPageDef = {
  id: 'tool-approvals',
  title: 'Tool approvals',
  role: 'viewer',
  kind: 'table',
  shown: (rt) => rt.config.tools.enabled,
  source: '/tools/approvals',
  items: 'data',
  columns: [
    { key: 'id', label: 'Approval' },
    { key: 'consumer', label: 'Consumer' },
    { key: 'agent', label: 'Agent' },
    { key: 'tool', label: 'Tool' },
    { key: 'argsPreview', label: 'Arguments' },
    { key: 'status', label: 'Status' },
  ],
  actions: [
    {
      label: 'Approve',
      role: 'approver',
      method: 'POST',
      path: '/tools/approvals/:id/approve',
      scope: 'row',
      when: { key: 'status', in: ['pending'] },
    },
    {
      label: 'Deny',
      role: 'approver',
      method: 'POST',
      path: '/tools/approvals/:id/deny',
      scope: 'row',
      when: { key: 'status', in: ['pending'] },
    },
  ],
};
