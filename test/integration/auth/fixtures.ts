import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import pino from 'pino';
import { Registry } from 'prom-client';
import { type AuthConfig, authSchema } from '../../../src/config/schema/auth.js';
import type { AuthRequest } from '../../../src/edge/auth/authenticator.js';
import type { AuthEvent } from '../../../src/edge/auth/security-events.js';
import { type AuthService, createAuthService } from '../../../src/edge/auth/service.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import type { Store } from '../../../src/store/types.js';

export function authConfig(input: unknown): AuthConfig {
  return authSchema.parse(input);
}

export async function makeService(
  input: unknown,
  opts: { store?: Store; now?: () => number } = {},
): Promise<{ svc: AuthService; store: Store }> {
  const store = opts.store ?? createMemoryStore();
  const svc = await createAuthService(authConfig(input), {
    store,
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    ...(opts.now ? { now: opts.now } : {}),
  });
  return { svc, store };
}

export function request(
  headers: Record<string, string> = {},
  extra: Partial<Omit<AuthRequest, 'headers' | 'events'>> = {},
): AuthRequest & { events: AuthEvent[] } {
  return {
    headers,
    peerCertificate: null,
    sourceIp: '127.0.0.1',
    userAgent: 'test',
    ...extra,
    events: [],
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Resolves to the GatehouseError code a promise rejects with (or 'resolved'). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

interface IssuerKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/**
 * A real OpenID Connect issuer on 127.0.0.1: discovery document and JWKS over HTTP, RSA and EC keys
 * made by jose. It can rotate keys and go down (the socket is kept, requests get 503 or hang up).
 */
export interface TestIssuer {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly hits: { discovery: number; jwks: number };
  key(): IssuerKey;
  /** Adds a new signing key (published in the JWKS) and makes it current; returns its kid. */
  rotate(opts?: { keepOld?: boolean; alg?: 'RS256' | 'ES256' }): Promise<string>;
  /** A key that is never published (tokens signed with it have an unknown kid). */
  stray(): Promise<IssuerKey>;
  sign(claims: JWTPayload, opts?: { key?: IssuerKey; header?: Record<string, unknown> }): Promise<string>;
  setDown(down: boolean): void;
  close(): Promise<void>;
}

async function newKey(n: number, alg: 'RS256' | 'ES256' = 'RS256'): Promise<IssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `k${n}-${alg}`;
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export async function startIssuer(): Promise<TestIssuer> {
  let keys: IssuerKey[] = [await newKey(1)];
  let current = keys[0]!;
  let down = false;
  let n = 1;
  const hits = { discovery: 0, jwks: 0 };
  let base = '';
  const server: Server = createServer((req, res) => {
    if (down) {
      res.writeHead(503).end();
      return;
    }
    if (req.url === '/.well-known/openid-configuration') {
      hits.discovery++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          issuer: base,
          jwks_uri: `${base}/jwks`,
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
      return;
    }
    if (req.url === '/jwks') {
      hits.jwks++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer: base,
    jwksUri: `${base}/jwks`,
    hits,
    key: () => current,
    async rotate(opts = {}) {
      const k = await newKey(++n, opts.alg);
      keys = opts.keepOld ? [...keys, k] : [k];
      current = k;
      return k.kid;
    },
    stray: () => newKey(++n + 1000),
    async sign(claims, opts = {}) {
      const k = opts.key ?? current;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: k.alg, kid: k.kid, typ: 'at+jwt', ...opts.header })
        .sign(k.privateKey);
    },
    setDown(d) {
      down = d;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
