import { describe, expect, it } from 'vitest';
import { createRevocationList, revocationKey } from '../../../src/edge/auth/revocation.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import type { Store } from '../../../src/store/types.js';

/** A memory store whose reads can be made to fail, as Redis does when it is down. */
function flakyStore(): Store & { down: boolean } {
  const inner = createMemoryStore();
  const s = Object.assign(Object.create(null) as object, inner, {
    down: false,
    async get(key: string) {
      if (s.down) throw new Error('connection is closed');
      return inner.get(key);
    },
  }) as Store & { down: boolean };
  return s;
}

const code = async (p: Promise<unknown>) => p.then(String, (e: { code?: string }) => e.code ?? String(e));

describe('revocation list', () => {
  it('a revocation reaches every list on the store at once (pub/sub)', async () => {
    const store = createMemoryStore();
    const a = await createRevocationList(store, { refreshMs: 60_000, staleMs: 60_000 });
    const b = await createRevocationList(store, { refreshMs: 60_000, staleMs: 60_000 });
    expect(await b.isRevoked('key', 'K1')).toBe(false);
    await a.revoke('key', 'K1', 0);
    expect(await a.isRevoked('key', 'K1')).toBe(true);
    expect(await b.isRevoked('key', 'K1')).toBe(true);
    expect(await b.isRevoked('key', 'K2')).toBe(false);
    await Promise.all([a.close(), b.close()]);
  });

  it('without the message, the store is re-read once the answer is older than refreshMs', async () => {
    const store = createMemoryStore();
    const clock = { t: 0 };
    const list = await createRevocationList(store, { refreshMs: 1_000, staleMs: 30_000, now: () => clock.t });
    expect(await list.isRevoked('session', 'c/s1')).toBe(false);
    await store.set(revocationKey('session', 'c/s1'), '1', 0);
    clock.t = 500;
    expect(await list.isRevoked('session', 'c/s1')).toBe(false); // fresh answer, no store read
    clock.t = 1_500;
    await list.isRevoked('session', 'c/s1'); // refresh starts in the background
    await new Promise((r) => setTimeout(r, 10));
    expect(await list.isRevoked('session', 'c/s1')).toBe(true);
    await list.close();
  });

  it('store down: the last answer is trusted for staleMs, then it fails closed', async () => {
    const store = flakyStore();
    const clock = { t: 0 };
    const list = await createRevocationList(store, { refreshMs: 1_000, staleMs: 10_000, now: () => clock.t });
    expect(await list.isRevoked('key', 'K')).toBe(false);
    store.down = true;
    clock.t = 5_000;
    expect(await list.isRevoked('key', 'K')).toBe(false);
    expect(await code(list.isRevoked('key', 'never-seen'))).toBe('GH_ERR_AUTH_UNAVAILABLE');
    clock.t = 11_000;
    expect(await code(list.isRevoked('key', 'K'))).toBe('GH_ERR_AUTH_UNAVAILABLE');
    store.down = false;
    expect(await list.isRevoked('key', 'K')).toBe(false);
    await list.close();
  });
});
