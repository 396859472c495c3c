import type { AdminHandler, AdminRouteDef } from '../pipeline/admin.js';
import type { Runtime } from '../pipeline/runtime.js';

/** One mounted admin route: its definition (role, action, schema) and its compiled handler. */
export interface MountedRoute {
  readonly def: AdminRouteDef;
  readonly feature: string;
  readonly handler: AdminHandler;
  readonly segments: readonly string[];
}

export interface RouteMatch {
  readonly route: MountedRoute;
  readonly params: Readonly<Record<string, string>>;
}

export interface AdminRouter {
  readonly routes: readonly MountedRoute[];
  match(method: string, path: string): RouteMatch | null;
  /** The route a proposal names (method + declared path). */
  byKey(method: string, path: string): MountedRoute | undefined;
}

const PARAM = /^:[A-Za-z][A-Za-z0-9_]*$/;
const LITERAL = /^[A-Za-z0-9._-]+$/;

/**
 * The route table, compiled once at boot from every feature's `adminRoutes`. A malformed path, a
 * route without a role, or two routes with the same method and path refuse the start: a route that
 * would silently shadow another, or run without a role check, is a bug, not a warning.
 */
export function createAdminRouter(
  rt: Runtime,
  defs: ReadonlyArray<{ readonly feature: string; readonly def: AdminRouteDef }>,
): AdminRouter {
  const routes: MountedRoute[] = [];
  const keys = new Map<string, MountedRoute>();
  for (const { feature, def } of defs) {
    if (!def.path.startsWith('/'))
      throw new Error(`admin route ${def.path} of ${feature}: path must start with /`);
    const segments = def.path.split('/').slice(1);
    for (const s of segments)
      if (!PARAM.test(s) && !LITERAL.test(s))
        throw new Error(`admin route ${def.method} ${def.path} of ${feature}: bad segment "${s}"`);
    if (typeof def.role !== 'string')
      throw new Error(`admin route ${def.method} ${def.path} of ${feature} declares no role`);
    if (def.method !== 'GET' && def.action === undefined)
      throw new Error(`admin route ${def.method} ${def.path} of ${feature} mutates but declares no action`);
    // Routes are distinct by method and shape (`:a` and `:b` at the same place are the same route).
    const shape = `${def.method} /${segments.map((s) => (s.startsWith(':') ? ':' : s)).join('/')}`;
    if (keys.has(shape)) throw new Error(`admin route ${shape} is declared twice (${feature})`);
    const mounted: MountedRoute = { def, feature, handler: def.create(rt), segments };
    keys.set(shape, mounted);
    routes.push(mounted);
  }
  const byKey = new Map(routes.map((r) => [`${r.def.method} ${r.def.path}`, r]));
  return {
    routes,
    byKey: (method, path) => byKey.get(`${method} ${path}`),
    match(method, path) {
      const parts = path.split('/').slice(1);
      // Literal segments win over parameters (`/consumers/usage` before `/consumers/:id`).
      let best: RouteMatch | null = null;
      let bestScore = -1;
      for (const r of routes) {
        if (r.def.method !== method || r.segments.length !== parts.length) continue;
        const params: Record<string, string> = {};
        let score = 0;
        let ok = true;
        for (let i = 0; i < parts.length && ok; i++) {
          const seg = r.segments[i] as string;
          const part = parts[i] as string;
          if (seg.startsWith(':')) {
            let v: string;
            try {
              v = decodeURIComponent(part);
            } catch {
              ok = false;
              break;
            }
            if (v === '' || v.length > 256) ok = false;
            else params[seg.slice(1)] = v;
          } else if (seg === part) score++;
          else ok = false;
        }
        if (ok && score > bestScore) {
          best = { route: r, params };
          bestScore = score;
        }
      }
      return best;
    },
  };
}
