import type { ErrorDef } from '../types.js';

/** Audit-log delivery errors. */
export const telemetryErrors = {
  GH_ERR_AUDIT_BACKPRESSURE: {
    status: 503,
    type: 'service_unavailable',
    message: 'The audit log cannot record more requests right now; retry later.',
  },
} as const satisfies Record<string, ErrorDef>;
