import autocannon from 'autocannon';

export interface LoadResult {
  /** 2xx responses completed in the window. */
  readonly ok: number;
  readonly failed: number;
  readonly seconds: number;
  /** Every 2xx response time in ms (autocannon's own histogram is 1 ms coarse; the targets are sub-ms). */
  readonly latencies: Float64Array;
}

export interface LoadSpec {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  readonly body: string;
  /** Extra request headers (the API key), the same for every target. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One closed-loop run: fixed connections, each sends its next request when the last one ends. */
export async function drive(spec: LoadSpec): Promise<LoadResult> {
  let lat = new Float64Array(1 << 16);
  let n = 0;
  const inst = autocannon({
    url: `${spec.url}/v1/chat/completions`,
    connections: spec.connections,
    duration: spec.seconds,
    pipelining: 1,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...spec.headers },
    body: spec.body,
    timeout: 10,
  });
  inst.on('response', (_c, status, _b, ms) => {
    if (status < 200 || status > 299) return;
    if (n === lat.length) {
      const next = new Float64Array(lat.length * 2);
      next.set(lat);
      lat = next;
    }
    lat[n++] = ms;
  });
  const r = await inst;
  return {
    ok: n,
    failed: r.errors + r.timeouts + r.non2xx,
    seconds: r.duration,
    latencies: lat.subarray(0, n),
  };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
