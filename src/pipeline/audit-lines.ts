import { defineService } from './slot.js';

/**
 * Writes one already serialised audit event (a JSON line in the shape of docs/audit-events.md) to
 * every audit sink. Registered by the telemetry feature's service, used by features that record
 * events of their own (the tool gateway's `tool.call`), so they do not import telemetry.
 */
export const AUDIT_LINES = defineService<(line: string) => void>('auditLines');
