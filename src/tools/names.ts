/**
 * Names agents see: `<server>.<tool>`, so two upstreams' tools never collide and an allowlist entry
 * (`server.tool`, `server.*`) reads the same as the name a client calls.
 */
export const exposedName = (server: string, tool: string): string => `${server}.${tool}`;

/** Whether an allowlist pattern (`server.tool` or `server.*`) covers a tool. */
export function patternCovers(pattern: string, server: string, tool: string): boolean {
  const dot = pattern.indexOf('.');
  if (dot === -1 || pattern.slice(0, dot) !== server) return false;
  const t = pattern.slice(dot + 1);
  return t === '*' || t === tool;
}
