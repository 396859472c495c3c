/**
 * ISO 8601 with milliseconds (what `Date.prototype.toISOString` writes), for per-request lines (the
 * audit event's `@timestamp`, the log line's `time`). The part up to the second changes once a
 * second, so it is cached; only the milliseconds are formatted per call (`toISOString` was about 2%
 * of a request's CPU in the log line alone, issue 13).
 */
let isoSecond = Number.NaN;
let isoPrefix = '';

export function isoMillis(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== isoSecond) {
    const full = new Date(ms).toISOString();
    // Years outside 0000-9999 do not have the fixed 24-character shape: no caching for them.
    if (full.length !== 24) return full;
    isoSecond = sec;
    isoPrefix = full.slice(0, 20);
  }
  const m = ms - sec * 1000;
  return `${isoPrefix}${m < 10 ? '00' : m < 100 ? '0' : ''}${m}Z`;
}
