import { adminErrors } from './codes/admin.js';
import { authErrors } from './codes/auth.js';
import { canaryErrors } from './codes/canary.js';
import { edgeErrors } from './codes/edge.js';
import { egressErrors } from './codes/egress.js';
import { guardErrors } from './codes/guard.js';
import { judgeErrors } from './codes/judge.js';
import { limitsErrors } from './codes/limits.js';
import { providerErrors } from './codes/provider.js';
import { resilienceErrors } from './codes/resilience.js';
import { telemetryErrors } from './codes/telemetry.js';
import { toolsErrors } from './codes/tools.js';
import { upstreamErrors } from './codes/upstream.js';
import type { ErrorDef } from './types.js';

/** The one catalog of GH_ERR_* codes. docs/errors.md must list every key (test/unit/errors.test.ts). */
export const ERRORS = Object.freeze({
  ...edgeErrors,
  ...upstreamErrors,
  ...authErrors,
  ...limitsErrors,
  ...guardErrors,
  ...telemetryErrors,
  ...egressErrors,
  ...judgeErrors,
  ...resilienceErrors,
  ...adminErrors,
  ...providerErrors,
  ...toolsErrors,
  ...canaryErrors,
} satisfies Record<string, ErrorDef>);

export type ErrorCode = keyof typeof ERRORS;
