import type { LintFinding } from '../config/lint-finding.js';
import { lintWarning } from '../config/lint-finding.js';
import type { GatehouseConfig } from '../config/schema/index.js';
import { secretRefKind } from '../config/secrets.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * The control plane's rules: its own port, TLS off loopback, admin keys only where every route is
 * tier 1 (the guide's tier 2+ forbids API-key-only authentication), certificates need a client CA,
 * the OIDC client secret by reference.
 */
export function lintAdmin(cfg: Readonly<GatehouseConfig>): LintFinding[] {
  const a = cfg.admin;
  const out: LintFinding[] = [];
  if (!a.enabled) return out;
  if (a.port !== 0 && a.port === cfg.server.port)
    out.push(`admin.port ${a.port} is the data plane's port: the control plane needs its own listener`);
  if (a.tls === undefined && !LOOPBACK.has(a.host))
    out.push(`admin.host ${a.host} is not loopback: the admin listener needs admin.tls there`);
  const topTier = Math.max(1, ...cfg.routes.map((r) => r.tier));
  if (a.apiKeys.length > 0 && topTier >= 2)
    out.push(
      `admin.apiKeys are allowed at tier 1 only, and a route is tier ${topTier}: use admin.oidc or admin.certificates (mTLS)`,
    );
  if (a.certificates.length > 0 && a.tls?.clientCa === undefined)
    out.push('admin.certificates need admin.tls.clientCa (and clientAuth optional or required)');
  const secret = a.oidc?.clientSecret;
  if (secret !== undefined && secretRefKind(secret) === 'inline')
    out.push('admin.oidc.clientSecret must be a secret reference (${ENV} or file:), not an inline value');
  if (a.oidc === undefined && a.certificates.length === 0 && a.apiKeys.length === 0)
    out.push(
      lintWarning(
        'admin is enabled but no operator can authenticate (no admin.oidc, certificates or apiKeys)',
      ),
    );
  if (a.console.enabled && a.oidc !== undefined && a.oidc.clientId === undefined)
    out.push(
      lintWarning(
        'admin.oidc.clientId is not set: the console logs in with admin.oidc.audience as its client id',
      ),
    );
  return out;
}
