import { posix } from 'node:path';

/**
 * Whether a path argument stays under one of the allowed roots. Resolved lexically (POSIX, `..` and
 * `.` collapsed, percent-escapes decoded first so `%2e%2e` is `..`); a relative path is taken from
 * the first root, like a server with that root as its working directory. Symlinks inside a root are
 * the upstream's to contain: the gateway cannot see its filesystem.
 */
export function pathAllowed(value: string, roots: readonly string[]): boolean {
  if (value.includes('\0')) return false;
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return false;
  }
  if (decoded.startsWith('file://')) decoded = decoded.slice('file://'.length);
  const first = roots[0];
  if (first === undefined) return false;
  const abs = posix.resolve(first, decoded);
  return roots.some((r) => {
    const root = posix.resolve(r);
    return abs === root || abs.startsWith(root.endsWith('/') ? root : `${root}/`);
  });
}
