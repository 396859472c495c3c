/**
 * The session-token scopes of the tool gateway (issue 19): `tools` (every tool the consumer may
 * use), `tools:<server>` or `tools:<server>.<tool>`. A leaf, so the auth feature (which mints
 * session tokens) and the tools feature (which reads them) agree without importing each other.
 */
export const TOOLS_SCOPE = 'tools';
export const TOOLS_SCOPE_PREFIX = 'tools:';

export function isToolScope(scope: string): boolean {
  return scope === TOOLS_SCOPE || scope.startsWith(TOOLS_SCOPE_PREFIX);
}
