import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/**
 * A tiny OpenID Connect provider for tests: discovery, JWKS, an authorization endpoint that logs
 * in whoever `loginAs` names (no form), and a token endpoint that checks the code, redirect URI
 * and PKCE verifier before issuing an ID token. `mint` signs bearer tokens for API calls.
 */
export interface TestIssuer {
  readonly issuer: string;
  readonly audience: string;
  /** Who the authorization endpoint logs in next. */
  loginAs(sub: string, roles: readonly string[]): void;
  mint(
    sub: string,
    roles: readonly string[],
    opts?: { audience?: string; expiresInSec?: number; issuer?: string },
  ): Promise<string>;
  close(): Promise<void>;
}

interface Pending {
  readonly sub: string;
  readonly roles: readonly string[];
  readonly clientId: string;
  readonly redirectUri: string;
  readonly nonce: string;
  readonly challenge: string;
}

export async function startTestIssuer(audience = 'gatehouse-admin'): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-1', alg: 'ES256', use: 'sig' };
  let user = { sub: 'nobody', roles: [] as readonly string[] };
  const codes = new Map<string, Pending>();
  let issuer = '';

  const sign = (claims: Record<string, unknown>, aud: string, ttl: number, iss = issuer) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'test-1' })
      .setIssuer(iss)
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime(`${ttl}s`)
      .sign(privateKey);

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration')
      return json(200, {
        issuer,
        jwks_uri: `${issuer}/jwks`,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
      });
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const p = url.searchParams;
      const redirectUri = p.get('redirect_uri') ?? '';
      if (p.get('response_type') !== 'code' || p.get('code_challenge_method') !== 'S256')
        return json(400, { error: 'invalid_request' });
      const code = randomBytes(16).toString('hex');
      codes.set(code, {
        ...user,
        clientId: p.get('client_id') ?? '',
        redirectUri,
        nonce: p.get('nonce') ?? '',
        challenge: p.get('code_challenge') ?? '',
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', p.get('state') ?? '');
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        const f = new URLSearchParams(body);
        const pending = codes.get(f.get('code') ?? '');
        codes.delete(f.get('code') ?? '');
        const verifier = f.get('code_verifier') ?? '';
        if (
          pending === undefined ||
          f.get('redirect_uri') !== pending.redirectUri ||
          f.get('client_id') !== pending.clientId ||
          createHash('sha256').update(verifier).digest('base64url') !== pending.challenge
        )
          return json(400, { error: 'invalid_grant' });
        void sign(
          { sub: pending.sub, roles: pending.roles, nonce: pending.nonce },
          pending.clientId,
          300,
        ).then((idToken) => json(200, { id_token: idToken, token_type: 'Bearer', expires_in: 300 }));
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    audience,
    loginAs(sub, roles) {
      user = { sub, roles };
    },
    mint: (sub, roles, o = {}) =>
      sign({ sub, roles }, o.audience ?? audience, o.expiresInSec ?? 300, o.issuer),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
