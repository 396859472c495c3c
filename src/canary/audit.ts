import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { SecurityEventSink } from '../pipeline/audit-sink.js';
import type { CanaryState } from './state.js';

/**
 * A canary transition as an audit event (`event.action: canary.rollback | canary.promote |
 * canary.weight`, docs/audit-events.md style): the route, both deployments, the side acted on, the
 * new state and, for a rollback, the failing gates. Operator actions through the admin listener
 * are audited there too; this event is the canary's own record, written by the replica that acted.
 */
export function transitionLine(
  out: SecurityEventSink,
  action: 'canary.rollback' | 'canary.promote' | 'canary.weight',
  route: string,
  deployment: string,
  state: CanaryState,
  failing: readonly string[],
): string {
  const rollback = action === 'canary.rollback';
  return JSON.stringify({
    '@timestamp': new Date(state.at).toISOString(),
    event: {
      id: randomUUID(),
      kind: rollback ? 'alert' : 'event',
      category: ['configuration'],
      type: ['change'],
      action,
      outcome: 'success',
      dataset: 'gatehouse.audit',
      module: 'gatehouse',
      severity: rollback ? 73 : 21,
      reason: state.reason ?? undefined,
    },
    ecs: { version: '8.11.0' },
    service: {
      name: 'gatehouse',
      version: out.version,
      ...(out.environment !== undefined && { environment: out.environment }),
      node: { name: hostname() },
    },
    user: { id: state.by ?? 'auto' },
    gatehouse: {
      schema_version: 1,
      route: { alias: route },
      canary: {
        side: 'canary',
        deployment,
        generation: state.generation,
        status: state.status,
        weight: state.weight,
        stage: state.stage,
        failing: [...failing],
      },
    },
  });
}
