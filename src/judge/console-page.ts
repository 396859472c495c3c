import { REVIEW_DECISIONS } from '../formats/judge-names.js';
import type { AdminPageDef } from '../pipeline/admin.js';

/**
 * The review queue in the operator console (issue 17): findings newest first, claimed then decided
 * through the Judge's admin routes (src/judge/admin-routes.ts), each action audited by the listener.
 */
export const judgeConsolePage: AdminPageDef = {
  id: 'judge',
  title: 'Judge review queue',
  role: 'viewer',
  kind: 'table',
  shown: (rt) => rt.config.judge.enabled,
  source: '/judge/findings?limit=100',
  items: 'findings',
  columns: [
    { key: 'id', label: 'Finding' },
    { key: 'rubric', label: 'Rubric' },
    { key: 'verdict', label: 'Verdict' },
    { key: 'confidence', label: 'Confidence' },
    { key: 'route', label: 'Route' },
    { key: 'consumer', label: 'Consumer' },
    { key: 'rationale', label: 'Rationale' },
    { key: 'status', label: 'Status' },
    { key: 'claimedBy', label: 'Claimed by' },
    { key: 'decision', label: 'Decision' },
    { key: 'decidedBy', label: 'Decided by' },
  ],
  actions: [
    {
      label: 'Claim',
      role: 'operator',
      method: 'POST',
      path: '/judge/findings/:id/claim',
      scope: 'row',
      when: { key: 'status', in: ['open'] },
    },
    {
      label: 'Decide',
      role: 'operator',
      method: 'POST',
      path: '/judge/findings/:id/decision',
      scope: 'row',
      when: { key: 'status', in: ['claimed'] },
      fields: [
        { name: 'decision', label: 'Decision', type: 'select', options: REVIEW_DECISIONS, required: true },
        { name: 'note', label: 'Note', type: 'text' },
      ],
    },
  ],
};
