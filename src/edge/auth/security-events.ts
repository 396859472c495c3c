import type { AuthMethod } from '../../identity.js';

/**
 * The security events authentication raises, a subset of the telemetry feature's
 * `SecurityEventInput` (src/telemetry/audit/security.ts): the stage appends them to
 * `ctx.securityEvents` and the record stage writes them as audit events. Never carries credentials.
 */
export type AuthEvent =
  | { readonly action: 'auth.failure'; readonly reason: string; readonly method?: AuthMethod }
  | { readonly action: 'consumer.unknown'; readonly reason: string; readonly method?: AuthMethod };
