import { defineService } from './slot.js';

/**
 * The detectors' redaction of audit text (`telemetry.audit.includeText`): registered by the guard
 * feature's service, read by telemetry's, so it is a pipeline-level key neither feature owns alone.
 */
export const AUDIT_REDACTOR = defineService<(text: string) => string>('auditRedactor');
