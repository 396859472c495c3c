/** How a request proved who it is. `none` exists only for routes an operator explicitly left open (demo). */
export type AuthMethod = 'none' | 'api_key' | 'jwt' | 'mtls' | 'session';

export type Tier = 1 | 2 | 3;

/** The one authenticated identity every later stage, log event and upstream call carries. */
export interface Identity {
  readonly consumer: string;
  readonly agent: string | null;
  readonly session: string | null;
  readonly tier: Tier;
  readonly method: AuthMethod;
  readonly scopes: readonly string[];
  /** Aliases this identity may call; `'*'` means every alias the gateway serves. */
  readonly aliases: readonly string[] | '*';
  /** Named limits plan (issue 4); null means the route's defaults. */
  readonly plan: string | null;
  readonly sourceIp: string;
  readonly userAgent: string;
}

export function mayUseAlias(identity: Identity, alias: string): boolean {
  return identity.aliases === '*' || identity.aliases.includes(alias);
}
