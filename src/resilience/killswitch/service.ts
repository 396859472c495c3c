import type { Logger } from 'pino';
import type { ResilienceConfig } from '../../config/schema/resilience.js';
import type { Store } from '../../store/types.js';
import { createSharedMap, type SharedMap } from '../shared-map.js';
import { checkKillRequest, type KillEntry, killField, parseKillEntry } from './entry.js';
import { readKillFile } from './file-flag.js';

/** Store key of the engaged entries (a hash tag keeps them on one Redis Cluster slot). */
export const KILL_MAP = '{ks}:entries';
/** Who released what and why, read by the replicas that see an entry disappear (for their audit event). */
const RELEASE_KEY = '{ks}:last-release';

export interface KillRelease {
  readonly field: string;
  readonly by: string;
  readonly reason: string;
  readonly at: number;
}

export interface KillTransition {
  readonly kind: 'engaged' | 'released';
  readonly entry: KillEntry;
  /** On a release: who and why (unknown when the file was removed or the record expired). */
  readonly release?: KillRelease;
}

export interface KillSwitch {
  /** The entry that stops a request with these attributes, or null (the common case: one Set lookup). */
  match(route: string | null, consumer: string | null, deployment: string | null): KillEntry | null;
  /** The entry that stops `target` in `scope` (`all`, the scope's `*`, or the target itself), or null. */
  stops(scope: 'tool' | 'egress', target: string): KillEntry | null;
  /** Every engaged entry, the file flag's included. */
  engaged(): readonly KillEntry[];
  engage(scope: unknown, target: unknown, reason: unknown, by: string): Promise<KillEntry>;
  /** Released only with a reason; false when nothing was engaged for that scope and target. */
  release(scope: unknown, target: unknown, reason: unknown, by: string): Promise<boolean>;
  storeReachable(): boolean;
  /** Re-reads the store and the file now. */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export class KillRequestError extends Error {}

export interface KillSwitchOptions {
  readonly store: Store;
  readonly config: ResilienceConfig['killSwitch'];
  readonly logger: Logger;
  readonly onTransition?: (t: KillTransition) => void;
  /** false in the CLI: write and leave, no polling. */
  readonly watch?: boolean;
  readonly now?: () => number;
}

export function createKillSwitch(opts: KillSwitchOptions): KillSwitch {
  const now = opts.now ?? Date.now;
  const { store, config } = opts;
  let fileEntry: KillEntry | null = null;
  let keys: ReadonlySet<string> = new Set();
  let entries: readonly KillEntry[] = [];
  const byField = new Map<string, KillEntry>();

  const rebuild = (storeEntries: ReadonlyMap<string, KillEntry>) => {
    const next = new Map(storeEntries);
    if (fileEntry !== null) {
      const f = killField(fileEntry.scope, fileEntry.target);
      if (!next.has(f)) next.set(f, fileEntry);
    }
    const prev = new Map(byField);
    byField.clear();
    for (const [k, v] of next) byField.set(k, v);
    keys = new Set(next.keys());
    entries = [...next.values()];
    announce(prev, next);
  };

  const announce = (prev: ReadonlyMap<string, KillEntry>, next: ReadonlyMap<string, KillEntry>) => {
    for (const [k, e] of next) if (!prev.has(k)) opts.onTransition?.({ kind: 'engaged', entry: e });
    for (const [k, e] of prev) {
      if (next.has(k)) continue;
      if (e.source === 'file') {
        opts.onTransition?.({ kind: 'released', entry: e });
        continue;
      }
      void store
        .get(RELEASE_KEY)
        .then((raw) => {
          const r = raw === null ? null : (JSON.parse(raw) as KillRelease);
          opts.onTransition?.({
            kind: 'released',
            entry: e,
            ...(r !== null && r.field === k ? { release: r } : {}),
          });
        })
        .catch(() => opts.onTransition?.({ kind: 'released', entry: e }));
    }
  };

  const map: SharedMap<KillEntry> = createSharedMap({
    store,
    name: KILL_MAP,
    pollMs: config.pollMs,
    parse: parseKillEntry,
    onChange: (next) => rebuild(next),
    watch: opts.watch,
  });

  const readFile = () => {
    if (config.file === undefined) return;
    const f = readKillFile(config.file, now());
    const same =
      (f === null && fileEntry === null) ||
      (f !== null && fileEntry !== null && f.scope === fileEntry.scope && f.target === fileEntry.target);
    if (same) return;
    fileEntry = f;
    rebuild(map.snapshot());
  };
  let fileTimer: NodeJS.Timeout | null = null;
  if (opts.watch !== false && config.file !== undefined) {
    readFile();
    fileTimer = setInterval(readFile, config.pollMs);
    fileTimer.unref();
  }

  const checked = (scope: unknown, target: unknown, reason: unknown) => {
    const problem = checkKillRequest(scope, target, reason);
    if (problem !== null) throw new KillRequestError(problem);
    const s = scope as KillEntry['scope'];
    return { scope: s, target: s === 'all' ? '*' : String(target), reason: String(reason).trim() };
  };

  return {
    match(route, consumer, deployment) {
      if (keys.size === 0) return null;
      const hit =
        byField.get('all') ??
        (route === null ? undefined : byField.get(`route:${route}`)) ??
        (consumer === null ? undefined : byField.get(`consumer:${consumer}`)) ??
        (deployment === null ? undefined : byField.get(`deployment:${deployment}`));
      return hit ?? null;
    },
    stops(scope, target) {
      if (keys.size === 0) return null;
      return byField.get('all') ?? byField.get(`${scope}:*`) ?? byField.get(`${scope}:${target}`) ?? null;
    },
    engaged: () => entries,
    async engage(scope, target, reason, by) {
      const c = checked(scope, target, reason);
      const entry: KillEntry = { ...c, by, at: now(), source: 'store' };
      await map.put(killField(c.scope, c.target), entry);
      return entry;
    },
    async release(scope, target, reason, by) {
      const c = checked(scope, target, reason);
      const field = killField(c.scope, c.target);
      const rec: KillRelease = { field, by, reason: c.reason, at: now() };
      await store.set(RELEASE_KEY, JSON.stringify(rec), 60_000);
      return map.remove(field);
    },
    storeReachable: () => map.reachable(),
    async refresh() {
      readFile();
      await map.refresh();
    },
    async close() {
      if (fileTimer !== null) clearInterval(fileTimer);
      await map.close();
    },
  };
}
