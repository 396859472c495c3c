import type { LintRule } from '../config/lint.js';
import { sandboxSchema } from '../config/schema/sandbox.js';
import type { Feature } from '../pipeline/feature.js';

const MiB = 1024 * 1024;

/** V8 reserves address space far beyond its heap: below this, Node.js runs fail at start-up. */
const sandboxLint: LintRule = (cfg) =>
  cfg.sandbox.limits.memoryBytes < 512 * MiB
    ? [
        `sandbox.limits.memoryBytes: ${cfg.sandbox.limits.memoryBytes} is below 512 MiB, too little address space for Node.js runs`,
      ]
    : [];

/**
 * The code-execution sandbox (src/sandbox/runner.ts). It runs as its own process — `gatehouse
 * sandbox mcp`, a stdio tool server the tool gateway spawns — so the gateway never executes
 * agent code in its own process; this feature only checks its config.
 */
export const sandboxFeature: Feature = {
  name: 'sandbox',
  config: { key: 'sandbox', schema: sandboxSchema },
  lint: [sandboxLint],
  stages: [],
};
