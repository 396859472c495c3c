import { createHash, randomBytes } from 'node:crypto';
import type { AdminRole } from '../pipeline/admin.js';
import type { Store } from '../store/types.js';

/**
 * Console sessions after an OIDC login, kept in the store (any replica behind the same admin
 * address serves them) under the SHA-256 of the cookie value, so the store never holds a usable
 * cookie. Idle timeout: the TTL is renewed on use; absolute lifetime: `maxSec` from login.
 */
export interface ConsoleSession {
  readonly operator: string;
  readonly roles: readonly AdminRole[];
  readonly csrf: string;
  readonly createdAt: number;
}

export interface SessionStore {
  create(operator: string, roles: readonly AdminRole[]): Promise<{ id: string; session: ConsoleSession }>;
  /** The session, renewed, or null when unknown, idle too long or past its lifetime. */
  get(id: string): Promise<ConsoleSession | null>;
  destroy(id: string): Promise<void>;
}

const keyOf = (id: string): string => `admin:sess:${createHash('sha256').update(id).digest('hex')}`;

export function createSessionStore(
  store: Store,
  opts: { readonly idleSec: number; readonly maxSec: number; readonly now?: () => number },
): SessionStore {
  const now = opts.now ?? Date.now;
  return {
    async create(operator, roles) {
      const id = randomBytes(32).toString('base64url');
      const session: ConsoleSession = {
        operator,
        roles: [...roles],
        csrf: randomBytes(32).toString('base64url'),
        createdAt: now(),
      };
      await store.set(keyOf(id), JSON.stringify(session), opts.idleSec * 1000);
      return { id, session };
    },
    async get(id) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
      const raw = await store.get(keyOf(id));
      if (raw === null) return null;
      const s = JSON.parse(raw) as ConsoleSession;
      const age = now() - s.createdAt;
      if (age > opts.maxSec * 1000) {
        await store.del(keyOf(id));
        return null;
      }
      const left = Math.min(opts.idleSec * 1000, opts.maxSec * 1000 - age);
      await store.set(keyOf(id), raw, Math.max(1, left));
      return s;
    },
    async destroy(id) {
      await store.del(keyOf(id));
    },
  };
}
