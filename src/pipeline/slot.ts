import type { GatehouseError } from '../errors/gatehouse-error.js';
import type { RequestContext } from './context.js';
import { internalError } from './require.js';
import type { Runtime, Services } from './runtime.js';

/**
 * Typed per-request state owned by one feature. A feature declares its slots in its own folder and
 * exports them for the stages that read them; nothing is added to the shared `RequestContext`
 * (no module augmentation), so who writes and who reads a value is an import you can follow.
 * Values live in a WeakMap keyed by the context: they go away with the request.
 */
export interface Slot<T> {
  readonly name: string;
  get(ctx: RequestContext): T | undefined;
  set(ctx: RequestContext, value: T): T;
  /** The value, or GH_ERR_INTERNAL naming the slot: a stage ran without the stage that fills it. */
  require(ctx: RequestContext): T;
  /** The value, created by `init` and stored on first use (lists stages append to). */
  getOrInit(ctx: RequestContext, init: () => T): T;
}

/** A typed key to one feature's shared service on `rt.services`, built once by its `service`. */
export interface ServiceKey<T> {
  readonly name: string;
  get(rt: Pick<Runtime, 'services'>): T | undefined;
  set(rt: Pick<Runtime, 'services'>, value: T): void;
  /** The service, or GH_ERR_INTERNAL naming it: a stage was built without the service it needs. */
  require(rt: Pick<Runtime, 'services'>): T;
}

function missing(what: string, name: string, hint: string): GatehouseError {
  return internalError(`${what} '${name}' read before it was set (${hint})`);
}

export function defineSlot<T>(name: string): Slot<T> {
  // Boxed so a stored `undefined` and "never set" stay distinct without a cast.
  const values = new WeakMap<RequestContext, { readonly v: T }>();
  return {
    name,
    get: (ctx) => values.get(ctx)?.v,
    set: (ctx, value) => {
      values.set(ctx, { v: value });
      return value;
    },
    require: (ctx) => {
      const box = values.get(ctx);
      if (box === undefined) throw missing('request slot', name, 'the stage that fills it did not run');
      return box.v;
    },
    getOrInit: (ctx, init) => {
      const box = values.get(ctx);
      if (box !== undefined) return box.v;
      const v = init();
      values.set(ctx, { v });
      return v;
    },
  };
}

export function defineService<T>(name: string): ServiceKey<T> {
  const values = new WeakMap<Services, T>();
  return {
    name,
    get: (rt) => values.get(rt.services),
    set: (rt, value) => {
      values.set(rt.services, value);
    },
    require: (rt) => {
      const v = values.get(rt.services);
      if (v === undefined) throw missing('service', name, 'its feature is not loaded or is disabled');
      return v;
    },
  };
}
