import { closeSync, openSync, readSync } from 'node:fs';
import { checkKillRequest, type KillEntry } from './entry.js';

/** Enough for `{scope, target, reason}`; a larger file is read up to here (bounded work per poll). */
const MAX_BYTES = 4_096;

/**
 * The on-disk flag (`resilience.killSwitch.file`): for when neither the control plane nor the store
 * can be reached. Present and empty (or unreadable as JSON) engages scope `all`; a JSON object
 * `{"scope", "target", "reason"}` narrows it. Removing the file releases it. Read at every poll:
 * a file that cannot be opened is absent.
 */
export function readKillFile(path: string, mtimeFallback: number): KillEntry | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  let text = '';
  try {
    const buf = Buffer.alloc(MAX_BYTES);
    const n = readSync(fd, buf, 0, MAX_BYTES, 0);
    text = buf.toString('utf8', 0, n).trim();
  } catch {
    // Present but unreadable: still engaged (fail closed), scope all.
  } finally {
    closeSync(fd);
  }
  const all: KillEntry = {
    scope: 'all',
    target: '*',
    reason: 'kill-switch file flag present',
    by: `file:${path}`,
    at: mtimeFallback,
    source: 'file',
  };
  if (text === '') return all;
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const scope = j.scope ?? 'all';
    const reason = typeof j.reason === 'string' ? j.reason : all.reason;
    if (checkKillRequest(scope, j.target, reason) !== null) return all;
    return { ...all, scope: scope as KillEntry['scope'], target: String(j.target ?? '*'), reason };
  } catch {
    return all;
  }
}
