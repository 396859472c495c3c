import type { QuotaUsage } from '../../formats/limit-dimension.js';
import type { AuthMethod } from '../../identity.js';
import type { AlertSeverity, AuditVerdict } from './schema.js';

/**
 * Security-relevant events other features raise. Inside a request, a stage pushes them onto
 * `ctx.securityEvents` (the record stage writes them with the request's identity and correlation);
 * outside a request (mode change, config reload, budget sweep), call
 * `rt.services.telemetry.security(input, context?)`.
 */
export type SecurityEventInput =
  | { readonly action: 'auth.failure'; readonly reason: string; readonly method?: AuthMethod }
  | { readonly action: 'consumer.unknown'; readonly reason: string; readonly method?: AuthMethod }
  | {
      readonly action: 'limit.hit';
      readonly dimension: string;
      readonly limit?: number;
      readonly used?: number;
    }
  | {
      readonly action: 'budget.threshold';
      readonly dimension: string;
      /** The limiter window that crossed the threshold (`m` minute, `s` sustain, `h` cost hour). */
      readonly window?: string;
      readonly used: number;
      readonly limit: number;
      readonly threshold?: number;
    }
  | { readonly action: 'guardrail.verdict'; readonly verdict: AuditVerdict }
  | {
      readonly action: 'mode.change';
      readonly from: string | null;
      readonly to: string;
      readonly reason?: string;
    }
  | {
      readonly action: 'config.reload';
      readonly outcome: 'success' | 'failure';
      readonly version?: string;
      readonly changes?: readonly string[];
    };

export type SecurityAction = SecurityEventInput['action'];

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

declare module '../../pipeline/context.js' {
  interface RequestContext {
    /** Security events raised by earlier stages (auth, limits, guard); the record stage emits them. */
    securityEvents?: SecurityEventInput[];
    /** Quota consumption the limiter observed for this consumer (feeds the quota alert and metric). */
    quotaUsage?: QuotaUsage[];
    /** The limiter dimension that rejected this request (requests, input_tokens, cost, concurrency ...). */
    limitDimension?: string;
  }
}
