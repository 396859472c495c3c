/**
 * Time buckets of alert inputs. Each replica fills its open bucket, publishes it through the store
 * when it closes, and every replica merges every replica's buckets into the same view: signals are
 * evaluated over the sum, so traffic (or an attack) spread across replicas counts as one.
 */

/** Latency histogram bounds in ms: 1 ms × 1.2^i, so a p99 estimate is within 20 % of the truth. */
export const LATENCY_BOUNDS: readonly number[] = Array.from({ length: 72 }, (_, i) => 1.2 ** i);

/** Per-bucket caps on keyed maps (source IPs, consumers): bounds memory and message size. */
export const MAX_KEYS = 2_048;

export interface BucketData {
  requests: number;
  errors5xx: number;
  /** Counts per LATENCY_BOUNDS slot (index = first bound ≥ the latency; last slot = overflow). */
  lat: Record<number, number>;
  tokens: number;
  /** Requests with at least one guardrail `block`. */
  blocks: number;
  authFail: Record<string, number>;
  unknown: Record<string, number>;
  /** `quotaKey(consumer, dimension)` → the highest ratio reported in the bucket. */
  quota: Record<string, number>;
  /** Highest GPU memory ratio sampled in the bucket, or -1 when none. */
  gpu: number;
  /** Sink name → events dropped in the bucket (spool full), and whether it ended full. */
  spoolDrops: Record<string, number>;
  spoolFull: Record<string, boolean>;
  /**
   * States held during the bucket (not counts): `modeKey('pace', route, state)` → why, and
   * `modeKey('kill', scope, target)` → who and why. Optional: a replica of an older version sends none.
   */
  pace?: Record<string, string>;
  kill?: Record<string, string>;
  /** Egress identity → denied connection attempts in the bucket. */
  egressDeny?: Record<string, number>;
}

export interface BucketMessage {
  readonly v: 1;
  readonly replica: string;
  readonly t: number;
  readonly d: BucketData;
}

export function emptyBucket(): BucketData {
  return {
    requests: 0,
    errors5xx: 0,
    lat: {},
    tokens: 0,
    blocks: 0,
    authFail: {},
    unknown: {},
    quota: {},
    gpu: -1,
    spoolDrops: {},
    spoolFull: {},
    pace: {},
    kill: {},
    egressDeny: {},
  };
}

/** A bucket map key of a held state: its parts as JSON, which no route or consumer name can break. */
export const modeKey = (a: string, b: string): string => JSON.stringify([a, b]);
export function parseModeKey(k: string): readonly [string, string] {
  try {
    const v: unknown = JSON.parse(k);
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // Not ours to interpret (a replica of another version).
  }
  return [k, ''];
}

export function latencySlot(ms: number): number {
  let lo = 0;
  let hi = LATENCY_BOUNDS.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    // mid < LATENCY_BOUNDS.length, so the bound exists.
    if ((LATENCY_BOUNDS[mid] ?? Number.POSITIVE_INFINITY) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Adds to a capped map; a key beyond the cap is ignored (documented: the cap is per bucket). */
export function bump(map: Record<string, number>, key: string, by = 1): void {
  const cur = map[key];
  if (cur !== undefined) map[key] = cur + by;
  else if (Object.keys(map).length < MAX_KEYS) map[key] = by;
}

/** Sum of many buckets (the window of a signal). */
export interface WindowView {
  readonly buckets: number;
  readonly requests: number;
  readonly errors5xx: number;
  readonly lat: number[];
  readonly tokens: number;
  readonly blocks: number;
  readonly authFail: ReadonlyMap<string, number>;
  readonly unknown: ReadonlyMap<string, number>;
  /** Latest ratio per quota key (later buckets win; max across replicas within a bucket). */
  readonly quota: ReadonlyMap<string, number>;
  /** Mean over buckets of the per-bucket maximum, or -1 without samples. */
  readonly gpu: number;
  readonly gpuBuckets: number;
  readonly spoolDrops: ReadonlyMap<string, number>;
  readonly spoolFull: ReadonlySet<string>;
  /** Held states seen in any bucket of the window, with the latest detail. */
  readonly pace: ReadonlyMap<string, string>;
  readonly kill: ReadonlyMap<string, string>;
  readonly egressDeny: ReadonlyMap<string, number>;
}

/** Merges held states: a key in any bucket is in the window, the latest bucket's detail wins. */
function latestOf(
  into: Map<string, { t: number; v: string }>,
  t: number,
  m: Record<string, string> | undefined,
) {
  for (const [k, v] of Object.entries(m ?? {})) {
    const cur = into.get(k);
    if (cur === undefined || t >= cur.t) into.set(k, { t, v });
  }
}
const values = (m: Map<string, { t: number; v: string }>): Map<string, string> =>
  new Map([...m].map(([k, x]) => [k, x.v]));

export function sumWindow(items: ReadonlyArray<{ t: number; d: BucketData }>): WindowView {
  const lat = new Array<number>(LATENCY_BOUNDS.length + 1).fill(0);
  const authFail = new Map<string, number>();
  const unknown = new Map<string, number>();
  const quotaAt = new Map<string, { t: number; r: number }>();
  const spoolDrops = new Map<string, number>();
  const spoolFullAt = new Map<string, { t: number; full: boolean }>();
  const gpuByT = new Map<number, number>();
  const pace = new Map<string, { t: number; v: string }>();
  const kill = new Map<string, { t: number; v: string }>();
  const egressDeny = new Map<string, number>();
  let requests = 0;
  let errors5xx = 0;
  let tokens = 0;
  let blocks = 0;
  const times = new Set<number>();
  for (const { t, d } of items) {
    times.add(t);
    requests += d.requests;
    errors5xx += d.errors5xx;
    tokens += d.tokens;
    blocks += d.blocks;
    for (const [k, v] of Object.entries(d.lat)) {
      const slot = Number(k);
      // Slots from another replica's snapshot: only the ones this build has.
      const had = lat[slot];
      if (had !== undefined) lat[slot] = had + v;
    }
    for (const [k, v] of Object.entries(d.authFail)) authFail.set(k, (authFail.get(k) ?? 0) + v);
    for (const [k, v] of Object.entries(d.unknown)) unknown.set(k, (unknown.get(k) ?? 0) + v);
    for (const [k, r] of Object.entries(d.quota)) {
      const cur = quotaAt.get(k);
      if (cur === undefined || t > cur.t || (t === cur.t && r > cur.r)) quotaAt.set(k, { t, r });
    }
    for (const [k, v] of Object.entries(d.spoolDrops)) spoolDrops.set(k, (spoolDrops.get(k) ?? 0) + v);
    for (const [k, full] of Object.entries(d.spoolFull)) {
      const cur = spoolFullAt.get(k);
      if (cur === undefined || t > cur.t || (t === cur.t && full)) spoolFullAt.set(k, { t, full });
    }
    if (d.gpu >= 0) gpuByT.set(t, Math.max(gpuByT.get(t) ?? -1, d.gpu));
    latestOf(pace, t, d.pace);
    latestOf(kill, t, d.kill);
    for (const [k, v] of Object.entries(d.egressDeny ?? {})) egressDeny.set(k, (egressDeny.get(k) ?? 0) + v);
  }
  let gpuSum = 0;
  for (const g of gpuByT.values()) gpuSum += g;
  return {
    buckets: times.size,
    requests,
    errors5xx,
    lat,
    tokens,
    blocks,
    authFail,
    unknown,
    quota: new Map([...quotaAt].map(([k, v]) => [k, v.r])),
    gpu: gpuByT.size > 0 ? gpuSum / gpuByT.size : -1,
    gpuBuckets: gpuByT.size,
    spoolDrops,
    spoolFull: new Set([...spoolFullAt].filter(([, v]) => v.full).map(([k]) => k)),
    pace: values(pace),
    kill: values(kill),
    egressDeny,
  };
}

/** The q-quantile of the latency histogram in ms (the slot's upper bound), or -1 when empty. */
export function latencyQuantile(lat: readonly number[], q: number): number {
  let n = 0;
  for (const c of lat) n += c;
  if (n === 0) return -1;
  const rank = Math.ceil(q * n);
  let acc = 0;
  const last = LATENCY_BOUNDS.at(-1) ?? 0;
  for (const [i, c] of lat.entries()) {
    acc += c;
    if (acc >= rank) return LATENCY_BOUNDS[i] ?? last;
  }
  return last;
}
