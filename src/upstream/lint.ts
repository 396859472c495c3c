import type { LintRule } from '../config/lint.js';
import { type LintFinding, lintWarning } from '../config/lint-finding.js';
import { secretRefKind } from '../config/secrets.js';
import { floatingModel } from './model-pins.js';

const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/;

/**
 * The Zone-2 hop from the gateway to the model endpoint. The guide asks for mTLS for
 * service-to-service calls within Zone 2 at tier 3; at tier 2 the prompt (which may carry regulated
 * data) must at least not cross a network in clear. The one exception is a deployment that shares
 * the gateway's host or pod (loopback or a Unix socket) AND that the operator attests is co-located:
 * then no network is crossed.
 */
export const upstreamTlsLint: LintRule = (cfg) =>
  cfg.routes.flatMap((r, i) => {
    const out: string[] = [];
    const at = `routes[${i}].upstream`;
    const u = r.upstream;
    const url = new URL(u.url);
    const https = url.protocol === 'https:';
    const local = u.socketPath !== undefined || LOOPBACK_HOST.test(url.hostname);
    const exempt = local && u.zone2Colocated;
    if (u.zone2Colocated && !local)
      out.push(
        `${at}.zone2Colocated: only a loopback or Unix-socket upstream can be attested co-located (${url.hostname} is neither)`,
      );
    if (u.tls !== undefined && !https)
      out.push(`${at}.tls: set on a plain http:// URL, where it would do nothing; use https://`);
    if (r.tier >= 2 && !https && !exempt)
      out.push(
        `${at}.url: tier ${r.tier} requires TLS to the upstream (https:// with upstream.tls), or a loopback/Unix-socket upstream with upstream.zone2Colocated: true`,
      );
    if (r.tier === 3 && https && u.tls?.cert === undefined && !exempt)
      out.push(
        `${at}.tls: tier 3 requires mutual TLS to the upstream (upstream.tls.cert and upstream.tls.key)`,
      );
    const key = u.tls?.key;
    if (key !== undefined && secretRefKind(key) === 'inline' && key.includes('-----BEGIN'))
      out.push(`${at}.tls.key: inline private key; use a file path, \${ENV_VAR} or file:/path`);
    return out;
  });

/** Floating model ids: refused at tier 2+ (and everywhere when the id says so), warned at tier 1. */
export const pinnedModelsLint: LintRule = (cfg) =>
  cfg.routes.flatMap((r, i): LintFinding[] => {
    const f = floatingModel(r.upstream.model, r.upstream.provider, {
      floating: cfg.lint.floatingModelIds,
      pinned: cfg.lint.pinnedModelIds,
    });
    if (f === null) return [];
    const msg = `routes[${i}].upstream.model: "${r.upstream.model}" ${f.reason}; pin an exact version`;
    return f.kind === 'always' || r.tier >= 2 ? [msg] : [lintWarning(`${msg} (tier 1: allowed, not pinned)`)];
  });
