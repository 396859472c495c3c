import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdminConfig } from '../config/schema/admin.js';
import { resolveSecret } from '../config/secrets.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { Store } from '../store/types.js';
import { SECURITY_HEADERS, sendJson } from './app.js';
import type { LoginThrottle } from './login-throttle.js';
import type { OidcVerifier } from './oidc.js';
import { cookieValue, SESSION_COOKIE } from './operator-auth.js';
import type { SessionStore } from './sessions.js';

/**
 * The operator console: static files (no framework, no CDN, no inline script, so the CSP allows
 * scripts from this origin only) and the OIDC authorization-code login with PKCE, state and nonce.
 * After login the session cookie is HttpOnly, SameSite=Strict, Path=/admin (Secure under TLS);
 * mutations also need the session's CSRF token, which the page reads from /admin/session.
 */
export interface ConsoleHandler {
  handles(path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};
const STATE_COOKIE = 'gh_admin_login';
const LOGIN_TTL_MS = 600_000;

/** The console's files, read once at boot (built copies sit beside the compiled module). */
function loadAssets(): Map<string, { body: Buffer; type: string; etag: string }> {
  const dir = fileURLToPath(new URL('./console/', import.meta.url));
  const out = new Map<string, { body: Buffer; type: string; etag: string }>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type === undefined) continue;
    const body = readFileSync(join(dir, name));
    out.set(name, {
      body,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`,
    });
  }
  return out;
}

export interface ConsoleOptions {
  readonly cfg: AdminConfig;
  readonly store: Store;
  readonly sessions: SessionStore;
  readonly oidc: OidcVerifier | null;
  /** A refused login callback counts as a failed login of its source IP. */
  readonly throttle: LoginThrottle;
  /** The listener's own URL (the default redirect URI base). */
  readonly selfUrl: () => string;
}

export function createConsole(o: ConsoleOptions): ConsoleHandler {
  const assets = loadAssets();
  const secure = o.cfg.tls !== undefined;
  const cookie = (name: string, value: string, maxAgeSec: number, sameSite: 'Strict' | 'Lax'): string =>
    `${name}=${value}; Path=/admin; HttpOnly; SameSite=${sameSite}; Max-Age=${maxAgeSec}${secure ? '; Secure' : ''}`;
  const redirectUri = (): string => o.cfg.oidc?.redirectUri ?? `${o.selfUrl()}/admin/callback`;
  const clientId = (): string => o.cfg.oidc?.clientId ?? o.cfg.oidc?.audience ?? '';

  const sendAsset = (req: IncomingMessage, res: ServerResponse, name: string): void => {
    const a = assets.get(name);
    if (a === undefined) {
      sendJson(res, 404, { error: { code: 'GH_ERR_ADMIN_NOT_FOUND' } });
      return;
    }
    const headers = {
      ...SECURITY_HEADERS,
      'content-type': a.type,
      etag: a.etag,
      'cache-control': 'no-cache',
    };
    if (req.headers['if-none-match'] === a.etag) {
      res.writeHead(304, headers);
      return void res.end();
    }
    res.writeHead(200, { ...headers, 'content-length': String(a.body.length) });
    res.end(a.body);
  };
  const redirect = (res: ServerResponse, to: string, cookies: string[] = []): void => {
    res.writeHead(303, { ...SECURITY_HEADERS, location: to, 'set-cookie': cookies });
    res.end();
  };

  const login = async (res: ServerResponse): Promise<void> => {
    if (o.oidc === null)
      throw new GatehouseError('GH_ERR_ADMIN_NOT_FOUND', { message: 'Console login needs admin.oidc.' });
    const meta = await o.oidc.metadata().catch((err: unknown) => {
      throw new GatehouseError('GH_ERR_ADMIN_UNAVAILABLE', {
        message: 'The operator identity provider is unreachable.',
        cause: err,
      });
    });
    if (meta.authorizationEndpoint === null)
      throw new GatehouseError('GH_ERR_ADMIN_UNAVAILABLE', {
        message: 'The identity provider has no authorization endpoint.',
      });
    const state = randomBytes(24).toString('base64url');
    const nonce = randomBytes(24).toString('base64url');
    const verifier = randomBytes(32).toString('base64url');
    await o.store.set(`admin:login:${state}`, JSON.stringify({ nonce, verifier }), LOGIN_TTL_MS);
    const u = new URL(meta.authorizationEndpoint);
    u.searchParams.set('response_type', 'code');
    u.searchParams.set('client_id', clientId());
    u.searchParams.set('redirect_uri', redirectUri());
    u.searchParams.set('scope', 'openid profile');
    u.searchParams.set('state', state);
    u.searchParams.set('nonce', nonce);
    u.searchParams.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
    u.searchParams.set('code_challenge_method', 'S256');
    // Lax: the IdP sends the operator back with a cross-site top-level navigation.
    redirect(res, u.toString(), [cookie(STATE_COOKIE, state, LOGIN_TTL_MS / 1000, 'Lax')]);
  };

  const callback = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const oidc = o.oidc;
    if (oidc === null) throw new GatehouseError('GH_ERR_ADMIN_NOT_FOUND');
    const state = url.searchParams.get('state');
    const code = url.searchParams.get('code');
    const bound = cookieValue(req, STATE_COOKIE);
    if (
      state === null ||
      code === null ||
      bound === null ||
      bound !== state ||
      !/^[A-Za-z0-9_-]{32}$/.test(state)
    )
      throw new GatehouseError('GH_ERR_ADMIN_AUTH_INVALID', {
        message: 'The login state does not match; start again.',
      });
    const raw = await o.store.get(`admin:login:${state}`);
    if (raw === null)
      throw new GatehouseError('GH_ERR_ADMIN_AUTH_INVALID', {
        message: 'The login has expired; start again.',
      });
    await o.store.del(`admin:login:${state}`);
    const { nonce, verifier } = JSON.parse(raw) as { nonce: string; verifier: string };
    const meta = await oidc.metadata();
    if (meta.tokenEndpoint === null) throw new GatehouseError('GH_ERR_ADMIN_UNAVAILABLE');
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri(),
      client_id: clientId(),
      code_verifier: verifier,
    });
    const secret = o.cfg.oidc?.clientSecret;
    if (secret !== undefined) form.set('client_secret', resolveSecret(secret));
    const r = await fetch(meta.tokenEndpoint, {
      method: 'POST',
      redirect: 'error',
      signal: AbortSignal.timeout(o.cfg.oidc?.timeoutMs ?? 3_000),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
    }).catch((err: unknown) => {
      throw new GatehouseError('GH_ERR_ADMIN_UNAVAILABLE', { cause: err });
    });
    const tokens = (await r.json().catch(() => ({}))) as { id_token?: unknown };
    if (r.status !== 200 || typeof tokens.id_token !== 'string')
      throw new GatehouseError('GH_ERR_ADMIN_AUTH_INVALID', {
        message: 'The identity provider refused the login.',
      });
    const claims = await oidc.verify(tokens.id_token, { audience: clientId(), nonce });
    const { id } = await o.sessions.create(claims.id, claims.roles);
    redirect(res, '/admin/', [
      cookie(SESSION_COOKIE, id, o.cfg.console.sessionMaxSec, 'Strict'),
      cookie(STATE_COOKIE, '', 0, 'Lax'),
    ]);
  };

  const session = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const sid = cookieValue(req, SESSION_COOKIE);
    const s = sid === null ? null : await o.sessions.get(sid);
    if (s === null)
      return sendJson(res, 401, { authenticated: false, login: o.oidc === null ? null : '/admin/login' });
    sendJson(res, 200, {
      authenticated: true,
      operator: s.operator,
      roles: s.roles,
      csrf: s.csrf,
      idleTimeoutSec: o.cfg.console.sessionTimeoutSec,
    });
  };

  const logout = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const sid = cookieValue(req, SESSION_COOKIE);
    const s = sid === null ? null : await o.sessions.get(sid);
    if (sid !== null && s !== null) {
      const token = req.headers['x-csrf-token'];
      if (token !== s.csrf) throw new GatehouseError('GH_ERR_ADMIN_CSRF');
      await o.sessions.destroy(sid);
    }
    res.writeHead(204, { ...SECURITY_HEADERS, 'set-cookie': cookie(SESSION_COOKIE, '', 0, 'Strict') });
    res.end();
  };

  return {
    handles: (path) => path === '/admin' || path.startsWith('/admin/'),
    async handle(req, res, url) {
      const p = url.pathname;
      const m = req.method ?? 'GET';
      try {
        if (m === 'GET' && (p === '/admin' || p === '/admin/')) return sendAsset(req, res, 'index.html');
        if (m === 'GET' && p.startsWith('/admin/ui/'))
          return sendAsset(req, res, p.slice('/admin/ui/'.length));
        if (m === 'GET' && p === '/admin/login') return await login(res);
        if (m === 'GET' && p === '/admin/callback') {
          await o.throttle.check(req);
          return await callback(req, res, url).catch(async (err: unknown) => {
            if (err instanceof GatehouseError && err.code === 'GH_ERR_ADMIN_AUTH_INVALID')
              await o.throttle.failed(req);
            throw err;
          });
        }
        if (m === 'GET' && p === '/admin/session') return await session(req, res);
        if (m === 'POST' && p === '/admin/logout') return await logout(req, res);
        throw new GatehouseError('GH_ERR_ADMIN_NOT_FOUND');
      } catch (thrown) {
        const err =
          thrown instanceof GatehouseError
            ? thrown
            : new GatehouseError('GH_ERR_INTERNAL', { cause: thrown });
        sendJson(res, err.status, { error: { message: err.message, code: err.code } }, err.headers);
      }
    },
  };
}
