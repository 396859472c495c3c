import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AdminConfig } from '../config/schema/admin.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { createKeyParser } from '../formats/api-key.js';
import type { AdminRole, Operator } from '../pipeline/admin.js';
import type { OidcVerifier } from './oidc.js';
import type { ConsoleSession, SessionStore } from './sessions.js';

/** Admin API keys carry their own prefix: a data-plane key (`ghk_`) never parses as one. */
export const ADMIN_KEY_PREFIX = 'gha_';
export const SESSION_COOKIE = 'gh_admin';

export interface Authenticated {
  readonly operator: Operator;
  /** Set when the caller is a console session: mutations then need its CSRF token. */
  readonly session: ConsoleSession | null;
}

export type OperatorAuthenticator = (req: IncomingMessage) => Promise<Authenticated>;

export function cookieValue(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (header === undefined) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return null;
}

/**
 * Who is calling, in this order: a bearer credential (an admin key `gha_...`, else an OIDC token
 * of the operator IdP), else the console session cookie, else a verified client certificate mapped
 * to an operator. Anything else, including every data-plane credential, is GH_ERR_ADMIN_AUTH_*.
 */
export function createOperatorAuthenticator(
  cfg: AdminConfig,
  oidc: OidcVerifier | null,
  sessions: SessionStore,
): OperatorAuthenticator {
  const parse = createKeyParser(ADMIN_KEY_PREFIX);
  const keys = new Map<
    string,
    { id: string; digest: Buffer; operator: string; roles: readonly AdminRole[] }
  >();
  for (const k of cfg.apiKeys) {
    const hex = k.hash.slice('sha256:'.length);
    keys.set(hex, { id: k.id, digest: Buffer.from(hex, 'hex'), operator: k.operator, roles: k.roles });
  }
  const dummy = { id: '', digest: Buffer.alloc(32), operator: '', roles: [] as AdminRole[] };
  const certs = cfg.certificates;

  const byKey = (presented: string): Operator => {
    const parsed = parse(presented);
    if (!parsed.ok) throw new GatehouseError('GH_ERR_ADMIN_AUTH_INVALID');
    const digest = createHash('sha256').update(presented).digest();
    const row = keys.get(digest.toString('hex')) ?? dummy;
    // Same work for an unknown and a wrong key: one hash, one probe, one fixed-size comparison.
    if (!timingSafeEqual(digest, row.digest) || row.id !== parsed.id)
      throw new GatehouseError('GH_ERR_ADMIN_AUTH_INVALID');
    return { id: row.operator, roles: row.roles, via: 'key' };
  };

  const byCert = (req: IncomingMessage): Operator | null => {
    const socket = req.socket as TLSSocket;
    if (typeof socket.getPeerCertificate !== 'function' || socket.authorized !== true) return null;
    const cert = socket.getPeerCertificate();
    if (cert === null || Object.keys(cert).length === 0) return null;
    const fp = cert.fingerprint256?.toUpperCase();
    const cn = typeof cert.subject?.CN === 'string' ? cert.subject.CN : null;
    const sans = (cert.subjectaltname ?? '').split(', ').filter((s) => s !== '');
    const m = certs.find(
      (c) =>
        (fp !== undefined && c.fingerprints.includes(fp)) ||
        (cn !== null && c.subjects.includes(cn)) ||
        c.sans.some((s) => sans.includes(s)),
    );
    if (m === undefined) throw new GatehouseError('GH_ERR_ADMIN_AUTH_INVALID');
    return { id: m.operator, roles: m.roles, via: 'mtls' };
  };

  return async (req) => {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const [scheme, token] = auth.split(' ', 2);
      if (scheme?.toLowerCase() !== 'bearer' || token === undefined || token === '')
        throw new GatehouseError('GH_ERR_ADMIN_AUTH_INVALID');
      if (token.startsWith(ADMIN_KEY_PREFIX)) return { operator: byKey(token), session: null };
      // Anything that is not a three-part JWS (a data-plane key, an opaque token) is refused here.
      if (oidc === null || token.split('.').length !== 3)
        throw new GatehouseError('GH_ERR_ADMIN_AUTH_INVALID');
      const c = await oidc.verify(token);
      return { operator: { id: c.id, roles: c.roles, via: 'oidc' }, session: null };
    }
    if (req.headers['x-api-key'] !== undefined) throw new GatehouseError('GH_ERR_ADMIN_AUTH_INVALID');
    const sid = cookieValue(req, SESSION_COOKIE);
    if (sid !== null) {
      const s = await sessions.get(sid);
      if (s === null)
        throw new GatehouseError('GH_ERR_ADMIN_AUTH_INVALID', {
          message: 'The console session has expired.',
        });
      return { operator: { id: s.operator, roles: s.roles, via: 'oidc-session' }, session: s };
    }
    const op = byCert(req);
    if (op !== null) return { operator: op, session: null };
    throw new GatehouseError('GH_ERR_ADMIN_AUTH_MISSING');
  };
}
