import { defineService } from './slot.js';

/**
 * Audit events written by features other than telemetry (the Judge's findings): one serialised
 * JSON event per line (docs/audit-events.md), to every configured sink. Set by the telemetry
 * feature's service; absent without it (the event is then not written anywhere).
 */
export interface AuditOut {
  emitLine(line: string): void;
  /** `service.version` and `service.environment` of the events, as telemetry stamps its own. */
  readonly version: string;
  readonly environment: string | undefined;
}

export const AUDIT_OUT = defineService<AuditOut>('audit.out');
