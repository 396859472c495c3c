import type { LintRule } from '../config/lint.js';
import { type LintFinding, lintWarning } from '../config/lint-finding.js';
import { secretRefKind } from '../config/secrets.js';
import { parseNetworks } from './addresses.js';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * The egress proxy's config beyond the schema: credentials are secret references (never inline),
 * allowed networks parse, a listener off loopback uses TLS, and an identity that can reach no
 * host is reported (it is valid — default deny — but usually a mistake).
 */
export const egressLint: readonly LintRule[] = [
  (cfg) => {
    const e = cfg.egress;
    const out: LintFinding[] = [];
    e.identities.forEach((i, n) => {
      const at = `egress.identities[${n}]`;
      if (i.credential !== undefined && secretRefKind(i.credential) === 'inline')
        out.push(`${at}.credential: inline secret; use \${ENV_VAR} or file:/path`);
      try {
        parseNetworks(i.allowNetworks);
      } catch (err) {
        out.push(`${at}.allowNetworks: ${(err as Error).message}`);
      }
      if (i.allow.length === 0) out.push(lintWarning(`${at}: no allow rule, this identity reaches nothing`));
      if (i.mtlsSubject !== undefined && (e.tls === undefined || e.tls.clientAuth === 'none'))
        out.push(`${at}.mtlsSubject: needs egress.tls with clientAuth optional or required`);
    });
    if ((e.enabled || e.identities.length > 0) && !LOOPBACK.test(e.host) && e.tls === undefined)
      out.push(
        lintWarning(
          'egress.host: the proxy listens off loopback without TLS; proxy credentials cross the network in clear',
        ),
      );
    return out;
  },
];
