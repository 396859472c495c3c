import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { ClientTlsConfig } from '../config/schema/telemetry.js';
import { secretRefKind } from '../config/secrets.js';

/**
 * Outbound TLS options for sinks, webhooks and the GPU scraper, read once at boot. `key` may be a
 * secret reference (its value is the PEM) or a file path.
 */
export function clientTls(
  cfg: ClientTlsConfig | undefined,
  secret: (ref: string) => string,
): ConnectionOptions {
  if (cfg === undefined) return { minVersion: 'TLSv1.2' };
  return {
    minVersion: cfg.minVersion,
    rejectUnauthorized: cfg.rejectUnauthorized,
    ...(cfg.ca !== undefined && { ca: readFileSync(cfg.ca, 'utf8') }),
    ...(cfg.cert !== undefined && { cert: readFileSync(cfg.cert, 'utf8') }),
    ...(cfg.key !== undefined && {
      key: secretRefKind(cfg.key) === 'inline' ? readFileSync(cfg.key, 'utf8') : secret(cfg.key),
    }),
    ...(cfg.servername !== undefined && { servername: cfg.servername }),
  };
}
