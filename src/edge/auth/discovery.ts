/**
 * OpenID Connect discovery: `<issuer>/.well-known/openid-configuration`. The document must name
 * the same issuer (OIDC Discovery 1.0, section 4.3) and a JWKS over https (plain http on loopback
 * only, for tests and sidecars).
 */
export function discoveryUrl(issuer: string): URL {
  return new URL(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
}

export function isAllowedKeyUrl(u: URL): boolean {
  return (
    u.protocol === 'https:' ||
    (u.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(u.hostname))
  );
}

export async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<URL> {
  const res = await fetch(discoveryUrl(issuer), {
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: 'application/json' },
  });
  if (res.status !== 200) throw new Error(`discovery answered ${res.status}`);
  const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
  if (doc.issuer !== issuer) throw new Error('discovery document names a different issuer');
  if (typeof doc.jwks_uri !== 'string') throw new Error('discovery document has no jwks_uri');
  const url = new URL(doc.jwks_uri);
  if (!isAllowedKeyUrl(url)) throw new Error('jwks_uri must use https');
  return url;
}
