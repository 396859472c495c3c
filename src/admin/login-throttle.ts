import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { decodeJwt } from 'jose';
import type { AdminConfig } from '../config/schema/admin.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { createKeyParser } from '../formats/api-key.js';
import type { Store } from '../store/types.js';
import { ADMIN_KEY_PREFIX } from './operator-auth.js';

/**
 * Failed operator logins are throttled per source IP and per claimed principal (docs/control-plane.md).
 * Counts live in the store, so every replica behind one admin address shares them. Once a count
 * reaches its limit within the window, that IP or principal is locked: `baseLockSec`, doubled by
 * each further failure in the same window, capped at `maxLockSec`. While locked, every attempt
 * from that IP or naming that principal is refused before its credential is even checked (a guess
 * that is never verified cannot succeed), with 429 GH_ERR_ADMIN_LOGIN_THROTTLED and Retry-After.
 * A store that does not answer refuses the login (closed): an unbounded guessing window is worse
 * than a control plane that waits for its store, which it needs for sessions and changes anyway.
 */
export type ThrottleScope = 'ip' | 'principal';

export interface LockEvent {
  readonly scope: ThrottleScope;
  /** The IP, or the principal as claimed (`oidc:<sub>`, `key:<id>`, `cert:<fingerprint>`). */
  readonly subject: string;
  readonly failures: number;
  readonly lockSec: number;
  readonly sourceIp: string | null;
}

export interface LoginThrottle {
  /** Throws GH_ERR_ADMIN_LOGIN_THROTTLED while the caller's IP or claimed principal is locked. */
  check(req: IncomingMessage): Promise<void>;
  /** Counts a refused credential (GH_ERR_ADMIN_AUTH_INVALID) and locks at the limit. */
  failed(req: IncomingMessage): Promise<void>;
  /** A verified login clears the principal's count (its IP's count stays until the window ends). */
  succeeded(req: IncomingMessage): Promise<void>;
}

type ThrottleConfig = AdminConfig['loginThrottle'];

const digest = (s: string): string => createHash('sha256').update(s).digest('base64url').slice(0, 32);

export function createLoginThrottle(
  store: Store,
  cfg: ThrottleConfig,
  operatorClaim: string,
  onLock: (e: LockEvent) => void,
  now: () => number = Date.now,
): LoginThrottle {
  const parseKey = createKeyParser(ADMIN_KEY_PREFIX);
  const windowMs = cfg.windowSec * 1000;

  /** Who the caller claims to be, unverified: only ever used as a counter's name. */
  const principalOf = (req: IncomingMessage): string | null => {
    const auth = req.headers.authorization;
    if (typeof auth === 'string') {
      const token = auth.slice(auth.indexOf(' ') + 1);
      if (token.startsWith(ADMIN_KEY_PREFIX)) {
        const p = parseKey(token);
        return p.ok ? `key:${p.id}` : null;
      }
      try {
        const claim = decodeJwt(token)[operatorClaim];
        return typeof claim === 'string' && claim !== '' ? `oidc:${claim.slice(0, 256)}` : null;
      } catch {
        return null;
      }
    }
    const socket = req.socket as TLSSocket;
    if (typeof socket.getPeerCertificate === 'function' && socket.authorized === true) {
      const fp = socket.getPeerCertificate()?.fingerprint256;
      return typeof fp === 'string' ? `cert:${fp}` : null;
    }
    return null;
  };
  const subjects = (req: IncomingMessage): { scope: ThrottleScope; subject: string; limit: number }[] => {
    const out: { scope: ThrottleScope; subject: string; limit: number }[] = [];
    const ip = req.socket.remoteAddress;
    if (ip !== undefined) out.push({ scope: 'ip', subject: ip, limit: cfg.maxFailuresPerIp });
    const p = principalOf(req);
    if (p !== null) out.push({ scope: 'principal', subject: p, limit: cfg.maxFailuresPerPrincipal });
    return out;
  };
  // Hashed key names: a claimed principal is attacker-chosen text, kept out of the key space.
  const countKey = (scope: ThrottleScope, subject: string) => `admin:lt:n:${scope}:${digest(subject)}`;
  const lockKey = (scope: ThrottleScope, subject: string) => `admin:lt:lock:${scope}:${digest(subject)}`;
  const unavailable = (cause: unknown) =>
    new GatehouseError('GH_ERR_ADMIN_UNAVAILABLE', {
      message: 'The login throttle cannot reach the store; try again.',
      cause,
    });

  return {
    async check(req) {
      for (const s of subjects(req)) {
        const until = Number(
          await store.get(lockKey(s.scope, s.subject)).catch((e: unknown) => {
            throw unavailable(e);
          }),
        );
        const left = Math.ceil((until - now()) / 1000);
        if (Number.isFinite(left) && left > 0)
          throw new GatehouseError('GH_ERR_ADMIN_LOGIN_THROTTLED', {
            headers: { 'retry-after': String(left) },
          });
      }
    },
    async failed(req) {
      for (const s of subjects(req)) {
        const n = await store.incrWindow(countKey(s.scope, s.subject), windowMs).catch((e: unknown) => {
          throw unavailable(e);
        });
        if (n < s.limit) continue;
        // 2^(n - limit), the exponent bounded so the product stays a finite number of seconds.
        const lockSec = Math.min(cfg.maxLockSec, cfg.baseLockSec * 2 ** Math.min(n - s.limit, 30));
        await store
          .set(lockKey(s.scope, s.subject), String(now() + lockSec * 1000), lockSec * 1000)
          .catch((e: unknown) => {
            throw unavailable(e);
          });
        onLock({
          scope: s.scope,
          subject: s.subject,
          failures: n,
          lockSec,
          sourceIp: req.socket.remoteAddress ?? null,
        });
      }
    },
    async succeeded(req) {
      const p = principalOf(req);
      if (p !== null) await store.del(countKey('principal', p)).catch(() => undefined);
    },
  };
}
