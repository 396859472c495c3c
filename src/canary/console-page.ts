import type { AdminPageDef } from '../pipeline/admin.js';

/**
 * Canary status in the operator console (issue 18): the comparison report of the chosen route and
 * the promote / roll back / weight actions of src/canary/admin-routes.ts (promotion is two-person
 * by default, so the console shows the proposal it made).
 */
export const canaryConsolePage: AdminPageDef = {
  id: 'canary',
  title: 'Canary',
  role: 'viewer',
  kind: 'table',
  shown: (rt) => rt.config.canary.routes.length > 0,
  source: '/canaries/:route',
  select: {
    param: 'route',
    label: 'Route',
    values: (rt) => rt.config.canary.routes.map((c) => c.route),
  },
  summary: [
    { key: 'state.status', label: 'Status' },
    { key: 'state.weight', label: 'Weight (%)' },
    { key: 'state.stage', label: 'Promotion stage' },
    { key: 'state.reason', label: 'Last reason' },
    { key: 'state.by', label: 'Changed by' },
    { key: 'canary.deployment', label: 'Canary deployment' },
    { key: 'canary.model', label: 'Canary model' },
    { key: 'baseline.model', label: 'Baseline model' },
    { key: 'comparison.samples.baseline', label: 'Baseline samples' },
    { key: 'comparison.samples.canary', label: 'Canary samples' },
    { key: 'comparison.verdict', label: 'Verdict' },
  ],
  items: 'comparison.rows',
  columns: [
    { key: 'metric', label: 'Metric' },
    { key: 'baseline', label: 'Baseline' },
    { key: 'canary', label: 'Canary' },
    { key: 'statistic', label: 'Statistic' },
    { key: 'p', label: 'p' },
    { key: 'verdict', label: 'Verdict' },
  ],
  actions: [
    { label: 'Promote', role: 'approver', method: 'POST', path: '/canaries/:route/promote', scope: 'page' },
    {
      label: 'Roll back',
      role: 'operator',
      method: 'POST',
      path: '/canaries/:route/rollback',
      scope: 'page',
    },
    {
      label: 'Set weight',
      role: 'approver',
      method: 'POST',
      path: '/canaries/:route/weight',
      scope: 'page',
      fields: [{ name: 'weight', label: 'Weight (%)', type: 'number', required: true }],
    },
  ],
};
