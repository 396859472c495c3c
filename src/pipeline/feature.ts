import type { LintRule } from '../config/lint-finding.js';
import type { Runtime } from '../config/runtime.js';
import type { StageDef } from './registry.js';

/**
 * A builder for one feature's shared service, run once at boot (src/boot/) before any stage is
 * built. It assigns its service onto `rt.services` (typed by module augmentation of `Services`) and
 * may push a closer onto `rt.closers`.
 */
export interface ServiceDef {
  readonly name: string;
  readonly build: (rt: Runtime) => void | Promise<void>;
}

/**
 * One capability of the gateway, exported as one object from its folder (`feature.ts`). The
 * composition root (src/boot/features.ts) lists them; adding a capability is a new folder plus one
 * line there, and nothing else reads a feature but the root: build-runtime runs each `service` in
 * list order, collects every `stages` entry (their order comes from phases and before/after, never
 * from the list) and runs every `lint` rule in `gatehouse lint` and before a start.
 */
export interface Feature {
  readonly name: string;
  /** Config checks beyond the schema; a string refuses the start, `lintWarning(...)` is logged. */
  readonly lint?: readonly LintRule[];
  /** Builds the feature's shared service onto `rt.services`, once, before any stage is built. */
  readonly service?: ServiceDef['build'];
  readonly stages: readonly StageDef[];
}
