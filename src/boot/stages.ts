import { authorizeRouteStage } from '../edge/auth/authorize-stage.js';
import { authenticateStage } from '../edge/auth/stage.js';
import { correlateStage } from '../edge/correlate.js';
import { admitStage } from '../edge/limits/admit-stage.js';
import { markUpstreamStage } from '../edge/limits/mark-stage.js';
import { settleStage } from '../edge/limits/settle-stage.js';
import { capsStage } from '../edge/validate/caps-stage.js';
import { parseStage } from '../edge/validate/parse-stage.js';
import { inspectInputStage } from '../guard/input-stage.js';
import { inspectOutputStage } from '../guard/output/inspect-stage.js';
import { prepareOutputGuardStage } from '../guard/output/prepare-stage.js';
import type { StageDef } from '../pipeline/registry.js';
import { auditBackpressureStage } from '../telemetry/backpressure-stage.js';
import { recordStage } from '../telemetry/record.js';
import { callUpstreamStage } from '../upstream/call-stage.js';
import { routeStage } from '../upstream/route-stage.js';

/**
 * Every stage of the data plane. The order of these lines does not matter: the builder
 * (checkStageDefs in build.ts) orders stages by the phase list, then within a phase by each stage's
 * own `before`/`after` constraints (ties by name), and checks scopes and constraints at boot.
 * Features add one line here.
 */
export const STAGES: readonly StageDef[] = [
  correlateStage,
  authenticateStage,
  parseStage,
  authorizeRouteStage,
  // Before capsStage too: a request that cannot be audited is refused before any counting.
  auditBackpressureStage,
  capsStage,
  routeStage,
  markUpstreamStage,
  callUpstreamStage,
  inspectInputStage,
  admitStage,
  settleStage,
  recordStage,
  prepareOutputGuardStage,
  inspectOutputStage,
];
