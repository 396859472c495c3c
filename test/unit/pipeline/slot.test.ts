import { describe, expect, it } from 'vitest';
import { isGatehouseError } from '../../../src/errors/gatehouse-error.js';
import type { RequestContext } from '../../../src/pipeline/context.js';
import type { Runtime } from '../../../src/pipeline/runtime.js';
import { defineService, defineSlot } from '../../../src/pipeline/slot.js';

const ctx = () => ({ requestId: 'r' }) as unknown as RequestContext;
const rt = () => ({ services: {} }) as unknown as Runtime;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return null;
}

describe('typed request slots', () => {
  it('keeps one value per context, distinct between slots and contexts', () => {
    const a = defineSlot<number>('test.a');
    const b = defineSlot<number>('test.b');
    const c1 = ctx();
    const c2 = ctx();
    a.set(c1, 1);
    b.set(c1, 2);
    expect([a.get(c1), b.get(c1), a.get(c2)]).toEqual([1, 2, undefined]);
    expect(a.require(c1)).toBe(1);
  });

  it('tells a stored undefined from a slot never set', () => {
    const s = defineSlot<string | undefined>('test.maybe');
    const c = ctx();
    expect(thrown(() => s.require(c))).not.toBeNull();
    s.set(c, undefined);
    expect(thrown(() => s.require(c))).toBeNull();
  });

  it('creates a value once with getOrInit', () => {
    const list = defineSlot<string[]>('test.list');
    const c = ctx();
    list.getOrInit(c, () => []).push('x');
    list.getOrInit(c, () => []).push('y');
    expect(list.require(c)).toEqual(['x', 'y']);
  });

  it('a read of a slot no stage filled is GH_ERR_INTERNAL naming the slot (for the log only)', () => {
    const err = thrown(() => defineSlot<number>('limits.reservation').require(ctx()));
    expect(isGatehouseError(err) && err.code).toBe('GH_ERR_INTERNAL');
    expect(isGatehouseError(err) && err.message).toBe('Internal gateway error.');
    expect(String((err as Error).cause)).toContain("'limits.reservation'");
  });
});

describe('typed service keys', () => {
  it('finds the service of the runtime it was set on, shared by copies of that runtime', () => {
    const key = defineService<{ n: number }>('test.svc');
    const r1 = rt();
    key.set(r1, { n: 1 });
    expect(key.get({ ...r1 })?.n).toBe(1);
    expect(key.get(rt())).toBeUndefined();
  });

  it('requiring a service that was not built is GH_ERR_INTERNAL naming it', () => {
    const err = thrown(() => defineService<number>('guard').require(rt()));
    expect(isGatehouseError(err) && err.code).toBe('GH_ERR_INTERNAL');
    expect(String((err as Error).cause)).toContain("'guard'");
  });
});
