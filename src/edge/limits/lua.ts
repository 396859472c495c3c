import type { LimitSpec } from './types.js';

/**
 * The Redis side of the limiter: one script per admission and one per settlement, so each is one
 * round trip (EVALSHA through ioredis' defineCommand). They implement window.ts and
 * memory-backend.ts (test/unit/limits/backend-suite.ts runs the same cases on both).
 *
 * Each compiled spec (route × plan) gets its own pair of scripts with the spec's numbers written in
 * as constants: nothing to send or parse per call but the clock, the lease id and four amounts.
 *
 * A window is one hash: bucket fields ("<bucket index>": amount) plus `t` (the sum of the live
 * buckets), `lo` (the oldest bucket still counted) and `nw` (the newest charged bucket). An
 * admission reads three fields and the current bucket, evicts the buckets that left the window
 * (usually none, at most one window's worth; a window idle for longer is dropped whole) and, when
 * admitted, writes them back: the cost does not grow with traffic. KEYS: the windows in spec order,
 * then the consumer's leases, the route's leases, the alert marks; all share the route's {hash tag}.
 */

const CLOCK = `
local function clock(arg)
  local n = tonumber(arg)
  if n then return n end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/** The spec as a Lua table literal; `k` is each window's KEYS index. */
function specLiteral(spec: LimitSpec): { literal: string; windows: number } {
  let k = 0;
  const dims = spec.windows.map(
    (ws) =>
      `{${ws
        .map(
          (w) =>
            `{id='${w.id}',len=${w.lengthMs},g=${w.bucketMs},n=${w.lengthMs / w.bucketMs},cap=${w.cap},k=${++k}}`,
        )
        .join(',')}}`,
  );
  const literal = `{cc=${spec.concurrency},gc=${spec.globalConcurrency},ratio=${spec.alertRatio},soft=${spec.softCostMicros},lease=${spec.leaseMs},nk=${k},dims={${dims.join(',')}}}`;
  return { literal, windows: k };
}

const ADMIT_BODY = `
local now = clock(ARGV[1])
local lease = ARGV[2]
local amt = { tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]) }
local fail, retry = -1, 0
local st = {}

local function retry_after(key, W, lo, cur, total, a)
  if a > W.cap then return W.len end
  local need = total + a - W.cap
  local fs = {}
  for b = lo, cur do fs[#fs + 1] = b end
  local vs = redis.call('HMGET', key, unpack(fs))
  local freed = 0
  for i = 1, #fs do
    freed = freed + (tonumber(vs[i]) or 0)
    if freed >= need then return math.max(1, (fs[i] + W.n + 1) * W.g - now) end
  end
  return W.len
end

for d = 1, 4 do
  st[d] = {}
  for w, W in ipairs(S.dims[d]) do
    local key = KEYS[W.k]
    local cur = math.floor(now / W.g)
    local low = cur - W.n
    local m = redis.call('HMGET', key, 't', 'lo', 'nw', cur)
    local total, lo, newest, vcur = tonumber(m[1]) or 0, tonumber(m[2]), tonumber(m[3]) or -1, tonumber(m[4]) or 0
    if lo == nil then
      lo = low
    elseif lo < low then
      if low - lo > W.n + 1 then
        redis.call('DEL', key)
        total, newest, vcur = 0, -1, 0
      else
        local fs = {}
        for b = lo, low - 1 do fs[#fs + 1] = b end
        local vs = redis.call('HMGET', key, unpack(fs))
        for i = 1, #fs do total = total - (tonumber(vs[i]) or 0) end
        redis.call('HDEL', key, unpack(fs))
        redis.call('HSET', key, 't', total, 'lo', low)
      end
      lo = low
      if newest < low then newest = -1 end
    end
    st[d][w] = { total = total, newest = newest, cur = cur, vcur = vcur, lo = lo }
    if fail < 0 and total + amt[d] > W.cap then
      fail = d - 1
      retry = retry_after(key, W, lo, cur, total, amt[d])
    end
  end
end

local cc, gc = KEYS[S.nk + 1], KEYS[S.nk + 2]
redis.call('ZREMRANGEBYSCORE', cc, '-inf', now)
redis.call('ZREMRANGEBYSCORE', gc, '-inf', now)
if fail < 0 and redis.call('ZCARD', cc) >= S.cc then fail, retry = 4, 1000 end
if fail < 0 and redis.call('ZCARD', gc) >= S.gc then fail, retry = 5, 1000 end

local alerts = {}
if fail < 0 then
  for d = 1, 4 do
    if amt[d] > 0 then
      for w, W in ipairs(S.dims[d]) do
        local s = st[d][w]
        s.total = s.total + amt[d]
        s.newest = s.cur
        redis.call('HSET', KEYS[W.k], s.cur, s.vcur + amt[d], 't', s.total, 'lo', s.lo, 'nw', s.cur)
        redis.call('PEXPIRE', KEYS[W.k], W.len + W.g)
      end
    end
  end
  redis.call('ZADD', cc, now + S.lease, lease)
  redis.call('PEXPIRE', cc, S.lease + 1000)
  redis.call('ZADD', gc, now + S.lease, lease)
  redis.call('PEXPIRE', gc, S.lease + 1000)

  local al = KEYS[S.nk + 3]
  local function fire(field, len)
    local until_ = tonumber(redis.call('HGET', al, field))
    if until_ and until_ > now then return false end
    redis.call('HSET', al, field, now + len)
    redis.call('PEXPIRE', al, 3660000)
    return true
  end
  for d = 1, 4 do
    for w, W in ipairs(S.dims[d]) do
      local used = st[d][w].total
      if used >= S.ratio * W.cap and fire('q' .. (d - 1) .. W.id, W.len) then
        alerts[#alerts + 1] = 'q' .. (d - 1) .. W.id .. ':' .. used
      end
    end
  end
  local hour = st[4][1]
  if amt[4] > 0 and hour.total >= S.soft and fire('soft', S.dims[4][1].len) then
    alerts[#alerts + 1] = 'soft:' .. hour.total
  end
end

local views = {}
for d = 1, 4 do
  local bl, br, bt = nil, nil, 0
  for w, W in ipairs(S.dims[d]) do
    local s = st[d][w]
    local rem = math.max(0, W.cap - s.total)
    local reset = 0
    if s.total > 0 and s.newest >= 0 then reset = math.max(0, (s.newest + W.n + 1) * W.g - now) end
    if br == nil or rem < br then bl, br, bt = W.cap, rem, reset end
  end
  views[#views + 1] = bl
  views[#views + 1] = br
  views[#views + 1] = bt
end
return { fail < 0 and 1 or 0, now, fail, retry, views, alerts }
`;

const SETTLE_BODY = `
local now = clock(ARGV[1])
local at = tonumber(ARGV[2])
local lease = ARGV[3]
for d = 1, 4 do
  local delta = tonumber(ARGV[3 + d])
  if delta ~= 0 then
    for _, W in ipairs(S.dims[d]) do
      local key = KEYS[W.k]
      local b = math.floor(at / W.g)
      -- A bucket that already left the window (or was evicted) no longer limits anyone.
      if b >= math.floor(now / W.g) - W.n then
        local m = redis.call('HMGET', key, 'lo', b, 't')
        local lo = tonumber(m[1])
        if lo and b >= lo then
          local v = (tonumber(m[2]) or 0) + delta
          local t = (tonumber(m[3]) or 0) + delta
          if v <= 0 then
            redis.call('HDEL', key, b)
            redis.call('HSET', key, 't', t - v)
          else
            redis.call('HSET', key, b, v, 't', t)
          end
        end
      end
    end
  end
end
redis.call('ZREM', KEYS[S.nk + 1], lease)
redis.call('ZREM', KEYS[S.nk + 2], lease)
return 1
`;

export interface SpecScripts {
  readonly admit: string;
  readonly settle: string;
  /** KEYS count: the windows, the two lease sets and the alert marks. */
  readonly keys: number;
}

export function scriptsFor(spec: LimitSpec): SpecScripts {
  const { literal, windows } = specLiteral(spec);
  const head = `${CLOCK}local S = ${literal}\n`;
  return { admit: head + ADMIT_BODY, settle: head + SETTLE_BODY, keys: windows + 3 };
}
