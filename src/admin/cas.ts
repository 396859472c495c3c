import { GatehouseError } from '../errors/gatehouse-error.js';
import type { Store } from '../store/types.js';

/**
 * A small JSON document in the store changed by compare-and-set on its version: a Lua script on
 * Redis (document and version under one hash tag, so one Cluster slot), an in-process queue on the
 * memory store (one process). Used for the runtime overrides and the two-person proposals, where a
 * lost update would silently drop an operator's change or apply a proposal twice.
 */
export interface Versioned {
  readonly version: number;
}

export interface CasDoc<T extends Versioned> {
  readonly docKey: string;
  readonly versionKey: string;
  read(): Promise<T>;
  storedVersion(): Promise<number>;
  /**
   * Applies `change` to the latest document (retried on a concurrent write). `change` may throw
   * to refuse. Returns the documents before and after (the version is set here).
   */
  update(change: (cur: T) => T): Promise<{ before: T; after: T }>;
}

const CAS = `
local v = tonumber(redis.call('GET', KEYS[2]) or '0')
if v ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[3])
return 1`;

export function createCasDoc<T extends Versioned>(
  store: Store,
  name: string,
  parse: (raw: unknown) => T,
  empty: T,
  maxBytes: number,
): CasDoc<T> {
  const docKey = `admin:{${name}}:doc`;
  const versionKey = `admin:{${name}}:ver`;
  let queue: Promise<unknown> = Promise.resolve();

  const read = async (): Promise<T> => {
    const raw = await store.get(docKey);
    if (raw === null) return empty;
    if (raw.length > maxBytes) throw new Error(`admin document ${name} exceeds its size bound`);
    return parse(JSON.parse(raw));
  };
  const cas = async (expected: number, next: T): Promise<boolean> => {
    const doc = JSON.stringify(next);
    if (store.scripts !== undefined) {
      const p = store.scripts.prefix;
      const r = await store.scripts
        .connection()
        .eval(CAS, 2, p + docKey, p + versionKey, String(expected), doc, String(next.version));
      return Number(r) === 1;
    }
    const v = Number((await store.get(versionKey)) ?? '0');
    if (v !== expected) return false;
    await store.set(docKey, doc, 0);
    await store.set(versionKey, String(next.version), 0);
    return true;
  };
  const attempt = async (change: (cur: T) => T): Promise<{ before: T; after: T }> => {
    for (let i = 0; i < 5; i++) {
      let before: T;
      try {
        before = await read();
      } catch (err) {
        throw new GatehouseError('GH_ERR_ADMIN_UNAVAILABLE', { cause: err });
      }
      const after = { ...change(before), version: before.version + 1 };
      if (JSON.stringify(after).length > maxBytes)
        throw new GatehouseError('GH_ERR_ADMIN_INVALID', {
          message: `The ${name} document would be too large.`,
        });
      let ok: boolean;
      try {
        ok = await cas(before.version, after);
      } catch (err) {
        throw new GatehouseError('GH_ERR_ADMIN_UNAVAILABLE', { cause: err });
      }
      if (ok) return { before, after };
    }
    throw new GatehouseError('GH_ERR_ADMIN_CONFLICT');
  };

  return {
    docKey,
    versionKey,
    read,
    storedVersion: async () => Number((await store.get(versionKey)) ?? '0'),
    update(change) {
      const run = queue.then(() => attempt(change));
      queue = run.catch(() => {});
      return run;
    },
  };
}
