import type { LimitSpec } from './types.js';

/**
 * The Redis side of the limiter: one script per admission and one per settlement, so each is one
 * round trip (EVALSHA through ioredis' defineCommand). They implement window.ts and
 * memory-backend.ts (test/unit/limits/backend-suite.ts runs the same cases on both).
 *
 * Each compiled spec (route × plan) gets its own pair of scripts with the spec's numbers written in
 * as constants: nothing to send or parse per call but the clock, the lease id and four amounts.
 *
 * All windows of one consumer on one route live in one hash. Window `<dim index><window id>` (e.g.
 * `0m`, `3h`) has bucket fields `<w>:<bucket index>` plus `<w>t` (the sum of its live buckets),
 * `<w>l` (the oldest bucket still counted) and `<w>n` (the newest charged bucket); `a<w>` and `as`
 * are the alert marks. An admission is one HMGET of those fields and each window's current bucket,
 * an eviction of the buckets that left (usually none: at most one per bucket length), the lease
 * checks, then one HSET: its cost does not grow with the traffic in the window. KEYS: that hash,
 * the consumer's leases and the route's leases, all under the route's {hash tag}.
 */

const CLOCK = `
local function clock(arg)
  local n = tonumber(arg)
  if n then return n end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/** The spec as a Lua table literal, with each window's field names in the consumer hash. */
function specLiteral(spec: LimitSpec): string {
  const dims = spec.windows.map((ws, d) => {
    const one = ws.map((w) => {
      const f = `${d}${w.id}`;
      // Field names spelled out once here: building strings is a large part of a script's cost.
      const names = `bp='${f}:',tf='${f}t',lf='${f}l',nf='${f}n',af='a${f}',q='q${f}:'`;
      return `{id='${w.id}',len=${w.lengthMs},g=${w.bucketMs},n=${w.lengthMs / w.bucketMs},cap=${w.cap},${names}}`;
    });
    return `{${one.join(',')}}`;
  });
  const ttl = Math.max(...spec.windows.flat().map((w) => w.lengthMs + w.bucketMs));
  return `{cc=${spec.concurrency},gc=${spec.globalConcurrency},ratio=${spec.alertRatio},soft=${spec.softCostMicros},lease=${spec.leaseMs},ttl=${ttl},dims={${dims.join(',')}}}`;
}

const ADMIT_BODY = `
local now = clock(ARGV[1])
local lease = ARGV[2]
local amt = { tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]) }
local H, cc, gc = KEYS[1], KEYS[2], KEYS[3]

-- One read for every window: total, oldest counted bucket, newest charged bucket, current bucket,
-- alert mark; then the soft-cap mark.
local fields, all = {}, {}
for d = 1, 4 do
  for _, W in ipairs(S.dims[d]) do
    W.cur = math.floor(now / W.g)
    W.bf = W.bp .. W.cur
    all[#all + 1] = W
    local k = #fields
    fields[k + 1], fields[k + 2], fields[k + 3], fields[k + 4], fields[k + 5] = W.tf, W.lf, W.nf, W.bf, W.af
  end
end
fields[#fields + 1] = 'as'
local m = redis.call('HMGET', H, unpack(fields))

local stale, evicted = {}, {}
local fail, retry = -1, 0
local function retry_after(W, a)
  if a > W.cap then return W.len end
  local need = W.total + a - W.cap
  local fs = {}
  for b = W.lo, W.cur do fs[#fs + 1] = W.bp .. b end
  local vs = redis.call('HMGET', H, unpack(fs))
  local freed = 0
  for i = 1, #fs do
    freed = freed + (tonumber(vs[i]) or 0)
    if freed >= need then return math.max(1, (W.lo + i - 1 + W.n + 1) * W.g - now) end
  end
  return W.len
end

for i, W in ipairs(all) do
  local o = (i - 1) * 5
  W.total, W.lo, W.newest = tonumber(m[o + 1]) or 0, tonumber(m[o + 2]), tonumber(m[o + 3]) or -1
  W.vcur, W.mark = tonumber(m[o + 4]) or 0, tonumber(m[o + 5])
  local low = W.cur - W.n
  if W.lo == nil then
    W.lo = low
  elseif W.lo < low then
    -- Bucket fields only ever lie in [lo, lo + n]: a window idle for longer is dropped unread.
    local fs = {}
    local last = math.min(low - 1, W.lo + W.n)
    for b = W.lo, last do fs[#fs + 1] = W.bp .. b end
    if low - W.lo > W.n then
      W.total = 0
    else
      local vs = redis.call('HMGET', H, unpack(fs))
      for k = 1, #fs do W.total = W.total - (tonumber(vs[k]) or 0) end
    end
    for k = 1, #fs do stale[#stale + 1] = fs[k] end
    W.lo = low
    if W.newest < low then W.newest = -1 end
    evicted[#evicted + 1] = W
  end
end
for d = 1, 4 do
  for _, W in ipairs(S.dims[d]) do
    if fail < 0 and W.total + amt[d] > W.cap then
      fail = d - 1
      retry = retry_after(W, amt[d])
    end
  end
end
if #stale > 0 then redis.call('HDEL', H, unpack(stale)) end

redis.call('ZREMRANGEBYSCORE', cc, '-inf', now)
redis.call('ZREMRANGEBYSCORE', gc, '-inf', now)
if fail < 0 and redis.call('ZCARD', cc) >= S.cc then fail, retry = 4, 1000 end
if fail < 0 and redis.call('ZCARD', gc) >= S.gc then fail, retry = 5, 1000 end

local alerts = {}
if fail < 0 then
  local w = {}
  for d = 1, 4 do
    for _, W in ipairs(S.dims[d]) do
      local k = #w
      if amt[d] > 0 then
        W.total = W.total + amt[d]
        W.newest = W.cur
        w[k + 1], w[k + 2], w[k + 3], w[k + 4] = W.bf, W.vcur + amt[d], W.nf, W.cur
        k = k + 4
      end
      w[k + 1], w[k + 2], w[k + 3], w[k + 4] = W.tf, W.total, W.lf, W.lo
      -- One alert per window: the mark holds until the window has turned over.
      if W.total >= S.ratio * W.cap and not (W.mark and W.mark > now) then
        w[k + 5], w[k + 6] = W.af, now + W.len
        alerts[#alerts + 1] = W.q .. W.total
      end
    end
  end
  local hour = S.dims[4][1]
  local softMark = tonumber(m[#m])
  if amt[4] > 0 and hour.total >= S.soft and not (softMark and softMark > now) then
    w[#w + 1] = 'as'; w[#w + 1] = now + hour.len
    alerts[#alerts + 1] = 'soft:' .. hour.total
  end
  redis.call('HSET', H, unpack(w))
  redis.call('PEXPIRE', H, S.ttl)
  redis.call('ZADD', cc, now + S.lease, lease)
  redis.call('PEXPIRE', cc, S.lease + 1000)
  redis.call('ZADD', gc, now + S.lease, lease)
  redis.call('PEXPIRE', gc, S.lease + 1000)
elseif #evicted > 0 then
  local w = {}
  for _, W in ipairs(evicted) do
    local k = #w
    w[k + 1], w[k + 2], w[k + 3], w[k + 4] = W.tf, W.total, W.lf, W.lo
  end
  redis.call('HSET', H, unpack(w))
end

local views = {}
for d = 1, 4 do
  local bl, br, bt = nil, nil, 0
  for _, W in ipairs(S.dims[d]) do
    local rem = math.max(0, W.cap - W.total)
    local reset = 0
    if W.total > 0 and W.newest >= 0 then reset = math.max(0, (W.newest + W.n + 1) * W.g - now) end
    if br == nil or rem < br then bl, br, bt = W.cap, rem, reset end
  end
  views[#views + 1] = bl
  views[#views + 1] = br
  views[#views + 1] = bt
end
-- The leases held now: the local posture's seed if Redis stops answering (limiter.ts).
return { fail < 0 and 1 or 0, now, fail, retry, views, alerts, redis.call('ZCARD', cc), redis.call('ZCARD', gc) }
`;

const SETTLE_BODY = `
local now = clock(ARGV[1])
local at = tonumber(ARGV[2])
local lease = ARGV[3]
local H, cc, gc = KEYS[1], KEYS[2], KEYS[3]
-- A retry (ARGV[8] = '1') of a settlement whose reply never came: the lease is the idempotency
-- token. Still held: the first attempt did not run, correct the windows. Gone: it ran (or the lease
-- expired), and correcting twice would release what was never charged.
local apply = ARGV[8] ~= '1' or redis.call('ZSCORE', cc, lease) ~= false
local touched, fields = {}, {}
for d = 1, (apply and 4 or 0) do
  local delta = tonumber(ARGV[3 + d])
  if delta ~= 0 then
    for _, W in ipairs(S.dims[d]) do
      local b = math.floor(at / W.g)
      -- A bucket that already left the window no longer limits anyone: nothing to correct.
      if b >= math.floor(now / W.g) - W.n then
        local bf = W.bp .. b
        touched[#touched + 1] = { W = W, bf = bf, b = b, delta = delta }
        local k = #fields
        fields[k + 1], fields[k + 2], fields[k + 3] = W.lf, bf, W.tf
      end
    end
  end
end
if #touched > 0 then
  local m = redis.call('HMGET', H, unpack(fields))
  local w, gone = {}, {}
  for i, x in ipairs(touched) do
    local o = (i - 1) * 3
    local lo = tonumber(m[o + 1])
    -- No lo: the hash expired; b < lo: the bucket was evicted. Either way it is out of the window.
    if lo and x.b >= lo then
      local v = (tonumber(m[o + 2]) or 0) + x.delta
      local t = (tonumber(m[o + 3]) or 0) + x.delta
      local k = #w
      if v <= 0 then
        gone[#gone + 1] = x.bf
        t = t - v
      else
        w[k + 1], w[k + 2] = x.bf, v
        k = k + 2
      end
      w[k + 1], w[k + 2] = x.W.tf, t
    end
  end
  if #gone > 0 then redis.call('HDEL', H, unpack(gone)) end
  if #w > 0 then redis.call('HSET', H, unpack(w)) end
end
redis.call('ZREM', cc, lease)
redis.call('ZREM', gc, lease)
redis.call('ZREMRANGEBYSCORE', cc, '-inf', now)
redis.call('ZREMRANGEBYSCORE', gc, '-inf', now)
return { redis.call('ZCARD', cc), redis.call('ZCARD', gc) }
`;

/**
 * The owner's heartbeat for its live leases on one route (one call per route per beat, batched).
 * KEYS: the route's leases, then consumers' leases; ARGV: clock, ttl, then (KEYS index, lease id)
 * pairs. A lease that already expired stays expired: its slot may have been given to someone else.
 */
export const RENEW_LUA = `${CLOCK}
local now = clock(ARGV[1])
local exp = now + tonumber(ARGV[2])
for i = 3, #ARGV, 2 do
  local k, m = KEYS[tonumber(ARGV[i])], ARGV[i + 1]
  local s = redis.call('ZSCORE', k, m)
  if s and tonumber(s) > now then redis.call('ZADD', k, exp, m) end
  s = redis.call('ZSCORE', KEYS[1], m)
  if s and tonumber(s) > now then redis.call('ZADD', KEYS[1], exp, m) end
end
for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2]) + 1000) end
return 1
`;

/** Drops one lease from the consumer's and the route's sets (idempotent). KEYS: those two; ARGV: lease id. */
export const RELEASE_LUA = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`;

export interface SpecScripts {
  readonly admit: string;
  readonly settle: string;
}

/** KEYS of both scripts: the consumer's window hash, the consumer's leases, the route's leases. */
export const SCRIPT_KEYS = 3;

export function scriptsFor(spec: LimitSpec): SpecScripts {
  const head = `${CLOCK}local S = ${specLiteral(spec)}\n`;
  return { admit: head + ADMIT_BODY, settle: head + SETTLE_BODY };
}
