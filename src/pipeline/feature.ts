import type { Runtime } from '../config/runtime.js';

/**
 * A builder for one feature's shared service, run once at boot (src/boot/) before any stage is
 * built. It assigns its service onto `rt.services` (typed by module augmentation of `Services`) and
 * may push a closer onto `rt.closers`.
 */
export interface ServiceDef {
  readonly name: string;
  readonly build: (rt: Runtime) => void | Promise<void>;
}
