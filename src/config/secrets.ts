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
  const name = ENV_REF.exec(value)?.[1];
  if (name !== undefined) {
    const v = env[name];
    if (v === undefined || v === '')
      throw new SecretResolutionError(`environment variable ${name} is not set`);
    return v;
  }
  const path = FILE_REF.exec(value)?.[1];
  if (path !== undefined) {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch {
      throw new SecretResolutionError(`secret file ${path} cannot be read`);
    }
  }
  return value;
}
