import { isIP } from 'node:net';
import type { GatehouseConfig } from '../config/schema/index.js';
import { mergePolicy, outputPolicySchema } from '../config/schema/output-guard.js';
import { resolvePolicy } from '../guard/policy-defaults.js';

/**
 * Facts the static checks read from a validated config, each computed the way the gateway itself
 * resolves it (the guard's policy layering, the output guard's deep merge), so the audit never
 * disagrees with what boot builds.
 */
export type Config = Readonly<GatehouseConfig>;

export interface RouteGuards {
  readonly alias: string;
  readonly inputInline: boolean;
  readonly injection: boolean;
  readonly inputSecrets: boolean;
  readonly outputInline: boolean;
  readonly outputSecrets: boolean;
}

export function routeGuards(cfg: Config): RouteGuards[] {
  const { routes: outRoutes, ...outBase } = cfg.outputGuard;
  return cfg.routes.map((r) => {
    const p = resolvePolicy(cfg.guard, r.alias);
    const over = outRoutes[r.alias]?.policy ?? {};
    const parsed = outputPolicySchema.safeParse(mergePolicy(outBase, over));
    const out = parsed.success ? parsed.data : null;
    const outputInline = cfg.outputGuard.enabled && out?.enabled === true;
    return {
      alias: r.alias,
      // The input stage runs when the guard is on; a route whose every detector is off has none left.
      inputInline:
        cfg.guard.enabled && (p.injection.enabled || p.policy.enabled || p.pii.enabled || p.secrets.enabled),
      injection: cfg.guard.enabled && p.injection.enabled,
      inputSecrets: cfg.guard.enabled && p.secrets.enabled && p.secrets.action !== 'allow',
      outputInline,
      outputSecrets: outputInline && out?.detectors.secrets.action !== 'allow',
    };
  });
}

const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i;

export const isLoopbackHost = (h: string): boolean => LOOPBACK_HOST.test(h);

/** RFC 1918, RFC 6598 (CGNAT), link-local, loopback, ULA: addresses no one outside the network reaches. */
export function isPrivateAddress(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) {
    const [a = 0, b = 0] = ip.split('.').map(Number);
    return (
      a === 10 ||
      a === 127 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254)
    );
  }
  if (v === 6) {
    const l = ip.toLowerCase();
    return l === '::1' || l.startsWith('fc') || l.startsWith('fd') || l.startsWith('fe80:');
  }
  return false;
}

/** Remote audit sinks (a SIEM or a collector); stdout and file sinks only reach one when something ships them. */
export const REMOTE_SINKS = new Set(['splunk_hec', 'elasticsearch', 'syslog']);
