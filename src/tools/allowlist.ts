import type { ToolsConfig } from '../config/schema/tools.js';
import { isToolScope, TOOLS_SCOPE, TOOLS_SCOPE_PREFIX } from '../formats/tool-scope.js';
import type { Identity } from '../identity.js';
import { exposedName, patternCovers } from './names.js';

/**
 * Which tools an identity may see and call, compiled once: the operator's `access` entries for its
 * consumer (and agent), narrowed by the credential's `tools` scopes. Session tokens must carry a
 * tools scope (`tools`, `tools:<server>` or `tools:<server>.<tool>`) to see any tool; other
 * credentials are narrowed by such scopes when they carry some. Closed: nothing listed, nothing seen.
 */
export type Allowlist = (id: Identity) => ReadonlySet<string>;

function scopeCovers(scopes: readonly string[], server: string, tool: string): boolean {
  for (const s of scopes) {
    if (s === TOOLS_SCOPE) return true;
    const rest = s.slice(TOOLS_SCOPE_PREFIX.length);
    if (rest === server || rest === exposedName(server, tool) || rest === `${server}.*`) return true;
  }
  return false;
}

export function compileAllowlist(cfg: Pick<ToolsConfig, 'servers' | 'access'>): Allowlist {
  const all = cfg.servers.flatMap((s) => s.tools.map((t) => ({ server: s.name, tool: t.name })));
  // consumer → agent ('' for every agent) → names, computed at boot.
  const byConsumer = new Map<string, Map<string, Set<string>>>();
  for (const a of cfg.access) {
    let agents = byConsumer.get(a.consumer);
    if (agents === undefined) byConsumer.set(a.consumer, (agents = new Map()));
    const key = a.agent ?? '';
    let names = agents.get(key);
    if (names === undefined) agents.set(key, (names = new Set()));
    for (const t of all)
      if (a.tools.some((p) => patternCovers(p, t.server, t.tool))) names.add(exposedName(t.server, t.tool));
  }
  const EMPTY: ReadonlySet<string> = new Set();
  return (id) => {
    const agents = byConsumer.get(id.consumer);
    if (agents === undefined) return EMPTY;
    const names = new Set<string>(agents.get('') ?? []);
    if (id.agent !== null) for (const n of agents.get(id.agent) ?? []) names.add(n);
    const toolScopes = id.scopes.filter(isToolScope);
    if (toolScopes.length === 0 && id.method !== 'session') return names;
    const out = new Set<string>();
    for (const t of all) {
      const n = exposedName(t.server, t.tool);
      if (names.has(n) && scopeCovers(toolScopes, t.server, t.tool)) out.add(n);
    }
    return out;
  };
}
