import type { GatehouseConfig } from '../../config/schema/index.js';
import { secretRefKind } from '../../config/secrets.js';

/**
 * Tier rules and auth hygiene for `gatehouse lint` and boot. Returns one sentence per problem.
 * - Tier 2+: API-key-only authentication is refused (an OIDC issuer or mTLS identities must exist).
 * - Tier 3: some consumer allowed on the route must pin its client certificate (every tier 3 request
 *   needs one); the listener requiring client certificates is checked by src/config/lint.ts.
 * - Signing keys and peppers must be secret references, not inline values.
 */
export function lintAuth(config: GatehouseConfig): string[] {
  const problems: string[] = [];
  const a = config.auth;
  const strongMethods =
    a.jwt.issuers.length > 0 || (a.mtls.enabled && a.consumers.some((c) => c.mtls !== undefined));
  const routes = new Set(config.routes.map((r) => r.alias));

  for (const r of config.routes) {
    if (r.tier >= 2 && !strongMethods)
      problems.push(
        `route "${r.alias}" is tier ${r.tier} but only API keys are configured: add an OIDC issuer (auth.jwt.issuers) or mTLS identities (auth.consumers[].mtls)`,
      );
    // Tier 3 needs a pinned client certificate whatever the bearer credential (authorize-stage.ts).
    const pinnedCaller = a.consumers.some(
      (c) =>
        c.tier === 3 &&
        !c.disabled &&
        (c.mtls?.fingerprints.length ?? 0) > 0 &&
        (c.aliases === '*' || c.aliases.includes(r.alias)),
    );
    if (r.tier === 3 && !pinnedCaller)
      problems.push(
        `route "${r.alias}" is tier 3 but no tier 3 consumer that may use it pins a client certificate (auth.consumers[].mtls.fingerprints): nobody could call it`,
      );
  }

  const secrets: Array<[string, string | undefined]> = [
    ['auth.apiKeys.pepper', a.apiKeys.pepper],
    ['auth.sessions.signingKey', a.sessions.signingKey],
    ['auth.downstream.signingKey', a.downstream.signingKey],
  ];
  for (const [path, v] of secrets)
    if (v !== undefined && secretRefKind(v) === 'inline')
      problems.push(`${path} is inline: use \${ENV_VAR} or file:/path`);

  for (const c of a.consumers) {
    if (c.aliases !== '*')
      for (const alias of c.aliases)
        if (!routes.has(alias))
          problems.push(`consumer "${c.name}" lists alias "${alias}", which no route serves`);
  }
  const clientAuth = config.server.tls?.clientAuth ?? 'none';
  if (a.mtls.enabled && a.consumers.some((c) => c.mtls !== undefined) && clientAuth === 'none')
    problems.push(
      'auth.consumers[].mtls is set but the listener does not ask for client certificates (server.tls.clientAuth)',
    );
  return problems;
}
