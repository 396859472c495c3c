import { describe, liveCheck } from './live-support.js';
import { fail, notApplicable, pass, skipped, verdictOf } from './types.js';

/**
 * The transport probes: protocol versions, cipher suites, HSTS and mTLS, as a client on the audit
 * host negotiates them with the target (one handshake per version or suite offered).
 */

/** Cipher suites a TLS 1.2 server must refuse: no forward secrecy, CBC with SHA-1, 3DES, RC4, NULL, anonymous. */
export const WEAK_CIPHERS = [
  'AES128-SHA',
  'AES256-SHA',
  'AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-ECDSA-AES128-SHA',
  'ECDHE-RSA-AES256-SHA',
  'ECDHE-ECDSA-AES256-SHA',
  'DES-CBC3-SHA',
  'RC4-SHA',
  'NULL-SHA256',
  'ECDHE-RSA-NULL-SHA',
  'ADH-AES128-GCM-SHA256',
] as const;

/** One year: the least `max-age` the audit accepts (HSTS preload asks for it). */
const HSTS_MIN_AGE = 31_536_000;

export const tlsLegacy = liveCheck(
  { id: 'CL-05.tls-legacy-refused', item: 'CL-05', title: 'TLS 1.0 and 1.1 refused', severity: 'high' },
  {},
  async ({ client }) => {
    if (!client.isTls) return fail('the target is plain HTTP');
    const problems: string[] = [];
    const ok: string[] = [];
    for (const v of ['TLSv1', 'TLSv1.1'] as const) {
      const r = await client.handshake({ min: v, max: v, ciphers: 'DEFAULT:@SECLEVEL=0' });
      if (r.ok) problems.push(`${v}: accepted (${r.protocol}, ${r.cipher})`);
      else ok.push(`${v}: refused (${r.reason})`);
    }
    return verdictOf(problems, ok);
  },
);

export const tlsModern = liveCheck(
  { id: 'CL-05.tls-modern-accepted', item: 'CL-05', title: 'TLS 1.2 or 1.3 accepted', severity: 'high' },
  {},
  async ({ client }) => {
    if (!client.isTls) return fail('the target is plain HTTP');
    const lines: string[] = [];
    let any = false;
    for (const v of ['TLSv1.2', 'TLSv1.3'] as const) {
      const r = await client.handshake({ min: v, max: v });
      any ||= r.ok;
      lines.push(r.ok ? `${v}: accepted (${r.cipher})` : `${v}: refused (${r.reason})`);
    }
    return any ? pass(...lines) : fail(...lines);
  },
);

export const weakCiphers = liveCheck(
  {
    id: 'CL-05.weak-ciphers-refused',
    item: 'CL-05',
    title: 'weak TLS 1.2 cipher suites refused',
    severity: 'high',
  },
  {},
  async ({ client }) => {
    if (!client.isTls) return fail('the target is plain HTTP');
    const accepted: string[] = [];
    for (const c of WEAK_CIPHERS) {
      const r = await client.handshake({ min: 'TLSv1.2', max: 'TLSv1.2', ciphers: `${c}:@SECLEVEL=0` });
      if (r.ok) accepted.push(`${c}: accepted`);
    }
    return verdictOf(accepted, [`${WEAK_CIPHERS.length} weak suites offered one by one, each refused`]);
  },
);

export const hsts = liveCheck(
  { id: 'CL-05.hsts', item: 'CL-05', title: 'HSTS on responses (max-age ≥ 1 year)', severity: 'medium' },
  {},
  async ({ client }) => {
    const r = await client.send({ path: '/v1/models', auth: false });
    const h = r.headers['strict-transport-security'];
    if (typeof h !== 'string')
      return fail(`GET /v1/models → ${describe(r)} without strict-transport-security`);
    const age = Number(/max-age=(\d+)/i.exec(h)?.[1] ?? 0);
    return age >= HSTS_MIN_AGE
      ? pass(`strict-transport-security: ${h}`)
      : fail(`max-age ${age} < ${HSTS_MIN_AGE}: ${h}`);
  },
);

export const mtlsLive = liveCheck(
  { id: 'CL-06.mtls-enforced', item: 'CL-06', title: 'no client certificate, no service', severity: 'high' },
  { config: true },
  async ({ client, config, alias }) => {
    if (config === null) return skipped('needs a valid --config');
    if (!config.routes.some((r) => r.tier === 3)) return notApplicable('no tier 3 route');
    try {
      const r = await client.send({ path: '/v1/models', clientCert: false, auth: true });
      return fail(`GET /v1/models without a client certificate → ${describe(r)} (alias ${alias})`);
    } catch (err) {
      return pass(
        `without a client certificate: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  },
);
