import { readFileSync } from 'node:fs';

const ENV_REF = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const FILE_REF = /^file:(.+)$/;

export type SecretRefKind = 'env' | 'file' | 'inline';

export function secretRefKind(value: string): SecretRefKind {
  if (ENV_REF.test(value)) return 'env';
  if (FILE_REF.test(value)) return 'file';
  return 'inline';
}

export class SecretResolutionError extends Error {}

/**
 * Resolves `${ENV_VAR}` and `file:/path` references at boot. A missing variable or unreadable file
 * is a boot failure (closed by default); the message names the reference, never a value.
 */
export function resolveSecret(value: string, env: NodeJS.ProcessEnv = process.env): string {
  const e = ENV_REF.exec(value);
  if (e) {
    const v = env[e[1]!];
    if (v === undefined || v === '')
      throw new SecretResolutionError(`environment variable ${e[1]} is not set`);
    return v;
  }
  const f = FILE_REF.exec(value);
  if (f) {
    try {
      return readFileSync(f[1]!, 'utf8').trim();
    } catch {
      throw new SecretResolutionError(`secret file ${f[1]} cannot be read`);
    }
  }
  return value;
}
