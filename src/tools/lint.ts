import type { LintRule } from '../config/lint-finding.js';
import { lintWarning } from '../config/lint-finding.js';
import { secretRefKind } from '../config/secrets.js';
import { patternCovers } from './names.js';
import { httpFromOpenApi } from './upstream/openapi.js';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/** What the schema cannot say about the `tools` section (docs/tools.md). */
export const TOOLS_LINT: readonly LintRule[] = [
  (cfg) => {
    const t = cfg.tools;
    if (!t.enabled) return [];
    const out = [];
    for (const s of t.servers) {
      if (s.tier >= 2 && t.manifest === undefined)
        out.push(`tools.servers.${s.name}: tier ${s.tier} needs a signed manifest (tools.manifest)`);
      const url =
        s.transport.kind === 'http'
          ? s.transport.url
          : s.transport.kind === 'rest'
            ? s.transport.baseUrl
            : null;
      if (url !== null) {
        const u = new URL(url);
        if (u.protocol !== 'https:' && !LOOPBACK.test(u.hostname))
          out.push(lintWarning(`tools.servers.${s.name}: plain HTTP to a non-loopback tool server`));
        if (s.egress === undefined && !LOOPBACK.test(u.hostname))
          out.push(
            lintWarning(`tools.servers.${s.name}: no egress proxy; the gateway calls this server directly`),
          );
      }
      if (s.egress !== undefined && secretRefKind(s.egress.credential) === 'inline')
        out.push(`tools.servers.${s.name}.egress: inline credential; use \${ENV} or file: references`);
      if (!cfg.limits.enabled && s.tools.some((tool) => tool.limits !== undefined))
        out.push(
          `tools.servers.${s.name}: per-tool limits need limits.enabled (the main limiter enforces them)`,
        );
      for (const tool of s.tools) {
        if (tool.openapi !== undefined)
          try {
            httpFromOpenApi(tool.openapi.spec, tool.openapi.operationId);
          } catch (err) {
            out.push(`tools.servers.${s.name}.tools.${tool.name}.openapi: ${(err as Error).message}`);
          }
        const http = tool.http;
        if (http === undefined) continue;
        const props = (http.inputSchema.properties ?? {}) as Record<string, unknown>;
        for (const m of http.path.matchAll(/\{([A-Za-z0-9_-]+)\}/g))
          if (m[1] !== undefined && !(m[1] in props))
            out.push(
              `tools.servers.${s.name}.tools.${tool.name}: path argument {${m[1]}} is not in inputSchema`,
            );
      }
      const c = s.credentials;
      const secrets =
        c.kind === 'static'
          ? [c.value]
          : c.kind === 'none'
            ? []
            : c.kind === 'token_exchange'
              ? [c.clientSecret, c.subjectToken]
              : [c.clientSecret];
      for (const v of secrets)
        if (secretRefKind(v) === 'inline')
          out.push(`tools.servers.${s.name}.credentials: inline secret; use \${ENV} or file: references`);
      if (s.tier === 1 && t.manifest === undefined)
        out.push(
          lintWarning(
            `tools.servers.${s.name}: tier 1 without pins; a changed tool definition goes unnoticed`,
          ),
        );
    }
    for (const a of t.access)
      for (const p of a.tools) {
        const covered = t.servers.some((s) => s.tools.some((tool) => patternCovers(p, s.name, tool.name)));
        if (!covered) out.push(`tools.access (${a.consumer}): "${p}" names no configured tool`);
      }
    const consumers = new Set(cfg.auth.consumers.map((c) => c.name));
    for (const a of t.access)
      if (!consumers.has(a.consumer))
        out.push(lintWarning(`tools.access: consumer "${a.consumer}" is not configured`));
    return out;
  },
];
