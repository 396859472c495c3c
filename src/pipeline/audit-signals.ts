import type { Posture } from '../config/schema/limits.js';
import type { LimitWindowId, WindowedLimitDimension } from '../formats/limit-dimension.js';
import type { AuthMethod } from '../identity.js';

/*
 * Audit signals: what stages of several features report for the record stage (telemetry) to write.
 * They are pipeline-level fields of RequestContext (context.ts); their shapes live here
 * so the features that raise them (auth, limits, guard) and the one that writes them (telemetry)
 * agree without importing each other.
 */

/** A guardrail decision on the audit event, without the matched text. */
export interface AuditVerdict {
  readonly phase: 'input' | 'output';
  readonly detector: string;
  readonly type: string;
  readonly action: 'allow' | 'flag' | 'redact' | 'block';
  readonly score: number;
}

/**
 * Security-relevant events other features raise. Inside a request, a stage pushes them onto
 * `ctx.securityEvents` (the record stage writes them with the request's identity and correlation);
 * outside a request (mode change, config reload, budget sweep), call
 * the telemetry service's `security(input, context?)`.
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
      /** What changed, for the alert engine's `pace_state` and `kill_switch` signals (not written). */
      readonly mode?: ModeChange;
    }
  | {
      readonly action: 'egress.connection';
      readonly verdict: 'allow' | 'deny';
      /** Why a denial (a DenyReason of src/egress/policy.ts); null when allowed. */
      readonly reason: string | null;
      readonly method: string;
      readonly host: string;
      readonly port: number;
      readonly address: string | null;
      readonly bytesUp: number;
      readonly bytesDown: number;
      readonly durationMs: number;
    }
  | {
      /** The admin listener locked an IP or claimed operator after repeated refused credentials. */
      readonly action: 'admin.login_throttled';
      readonly scope: 'ip' | 'principal';
      readonly failures: number;
      readonly lockSec: number;
    }
  | {
      readonly action: 'config.reload';
      readonly outcome: 'success' | 'failure';
      readonly version?: string;
      readonly changes?: readonly string[];
    };

/** A PACE transition of a route, or a kill-switch entry engaged or released (issue 16). */
export type ModeChange =
  | { readonly kind: 'pace'; readonly route: string; readonly state: string }
  | { readonly kind: 'kill'; readonly scope: string; readonly target: string; readonly engaged: boolean };

/**
 * Alert signals the limiter raises on a request (`ctx.limitEvents`); the record stage and the alert
 * engine read them. Each quota and soft-cap event fires once per window across all replicas (the
 * store decides, atomically with the admission); the store events fire on each transition.
 */
export type LimitSignal =
  | {
      readonly type: 'limits.quota_threshold';
      readonly severity: 'low';
      readonly dimension: WindowedLimitDimension;
      readonly window: LimitWindowId;
      readonly used: number;
      readonly limit: number;
    }
  | {
      readonly type: 'limits.cost_soft_cap';
      readonly severity: 'medium';
      /** US dollars in the sliding hour, this request's estimate included. */
      readonly usedUsd: number;
      readonly softCapUsd: number;
    }
  | { readonly type: 'limits.store_unavailable'; readonly severity: 'high'; readonly posture: Posture }
  | { readonly type: 'limits.store_recovered'; readonly severity: 'low' };
