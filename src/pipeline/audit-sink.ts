import type { AuthMethod } from '../identity.js';
import type { SecurityEventInput } from './audit-signals.js';
import { defineService } from './slot.js';

/** Who and where, for security events raised outside a request. All optional. */
export interface EventSubject {
  readonly consumer?: string | null;
  readonly agent?: string | null;
  readonly session?: string | null;
  readonly method?: AuthMethod | null;
  readonly sourceIp?: string | null;
  readonly userAgent?: string | null;
  readonly requestId?: string;
  readonly traceId?: string;
  readonly spanId?: string;
}

/**
 * The audit sinks as other features see them: typed security events outside a request (egress
 * connections, operator actions, PACE and kill-switch transitions), and whole events a feature
 * builds itself (the Judge's findings), one serialised JSON event per line (docs/audit-events.md).
 */
export interface SecurityEventSink {
  security(input: SecurityEventInput, subject?: EventSubject): void;
  emitLine(line: string): void;
  /** `service.version` and `service.environment` of the events, as telemetry stamps its own. */
  readonly version: string;
  readonly environment: string | undefined;
}

/**
 * Set by the telemetry feature's service; read by any feature that records events outside a
 * request, so none of them imports telemetry. Absent (telemetry not loaded): nothing is recorded.
 */
export const AUDIT_SINK = defineService<SecurityEventSink>('audit.sink');
