import { timingSafeEqual } from 'node:crypto';
import type { EgressConfig, EgressIdentityConfig } from '../config/schema/egress.js';
import { isAddressLiteral, parseNetworks } from './addresses.js';

/** Why a destination is refused; stable strings on audit events and in `egress test` output. */
export type DenyReason =
  | 'no_credentials'
  | 'bad_credentials'
  | 'host_not_allowed'
  | 'port_not_allowed'
  | 'path_not_allowed'
  | 'ip_literal'
  | 'denied_address'
  | 'dns_failure'
  | 'rate_limited'
  | 'kill_switch'
  | 'bad_request';

interface CompiledRule {
  readonly exact: string | null;
  /** `.example.com` for `*.example.com`: a name must end with it and be longer. */
  readonly suffix: string | null;
  readonly ports: ReadonlySet<number>;
  readonly paths: readonly string[] | null;
}

export interface EgressIdentity {
  readonly id: string;
  readonly secret: Buffer | null;
  readonly mtlsSubject: string | null;
  readonly rules: readonly CompiledRule[];
  readonly networks: ReturnType<typeof parseNetworks>;
  readonly allowIpLiterals: boolean;
  readonly limits: EgressIdentityConfig['limits'];
}

/** Lower case, no trailing dot, IPv6 brackets removed: the one form every check compares. */
export function canonicalHost(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

function compileRule(r: EgressIdentityConfig['allow'][number]): CompiledRule {
  const host = canonicalHost(r.host);
  return {
    exact: host.startsWith('*.') ? null : host,
    suffix: host.startsWith('*.') ? host.slice(1) : null,
    ports: new Set(r.ports),
    paths: r.paths ?? null,
  };
}

export function compileIdentities(
  cfg: EgressConfig,
  secret: (ref: string) => string,
): ReadonlyMap<string, EgressIdentity> {
  return new Map(
    cfg.identities.map((i) => [
      i.id,
      {
        id: i.id,
        secret: i.credential === undefined ? null : Buffer.from(secret(i.credential)),
        mtlsSubject: i.mtlsSubject ?? null,
        rules: i.allow.map(compileRule),
        networks: parseNetworks(i.allowNetworks),
        allowIpLiterals: i.allowIpLiterals,
        limits: i.limits,
      },
    ]),
  );
}

/** Constant-time comparison of the presented password with the identity's. */
export function credentialMatches(identity: EgressIdentity, presented: string): boolean {
  if (identity.secret === null) return false;
  const p = Buffer.from(presented);
  return p.length === identity.secret.length && timingSafeEqual(p, identity.secret);
}

/**
 * The allowlist decision before any DNS: host, port and (plain HTTP) path. Default deny: an
 * identity with no rule reaches nothing.
 */
export function checkDestination(
  identity: EgressIdentity,
  rawHost: string,
  port: number,
  path: string | null,
): DenyReason | null {
  const host = canonicalHost(rawHost);
  if (isAddressLiteral(host) && !identity.allowIpLiterals) return 'ip_literal';
  const hostRules = identity.rules.filter(
    (r) =>
      r.exact === host || (r.suffix !== null && host.length > r.suffix.length && host.endsWith(r.suffix)),
  );
  if (hostRules.length === 0) return 'host_not_allowed';
  const portRules = hostRules.filter((r) => r.ports.has(port));
  if (portRules.length === 0) return 'port_not_allowed';
  if (path === null) return null;
  const ok = portRules.some((r) => r.paths === null || r.paths.some((p) => path.startsWith(p)));
  return ok ? null : 'path_not_allowed';
}
