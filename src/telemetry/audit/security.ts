import type { SecurityEventInput } from '../../pipeline/audit-signals.js';
import type { AlertSeverity } from './schema.js';

export type { SecurityEventInput } from '../../pipeline/audit-signals.js';

export type SecurityAction = SecurityEventInput['action'];

export type { EventSubject } from '../../pipeline/audit-sink.js';

/** An alert as the engine hands it to sinks and webhooks. */
export interface AlertRecord {
  readonly signal: string;
  readonly fingerprint: string;
  readonly severity: AlertSeverity;
  readonly status: 'firing' | 'resolved';
  /** Firing: the value that breached. Resolved: the value at resolution (null: no data in the window). */
  readonly value: number | null;
  readonly threshold: number;
  readonly baseline: number | null;
  readonly startsAt: number;
  readonly endsAt: number | null;
  readonly summary: string;
  readonly labels: Readonly<Record<string, string>>;
}
