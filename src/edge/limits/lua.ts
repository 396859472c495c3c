/**
 * The Redis side of the limiter: one script per admission and one per settlement, so each is one
 * round trip (EVALSHA through ioredis' defineCommand). They mirror window.ts and memory-backend.ts.
 *
 * KEYS (all share the route's {hash tag}, so one Cluster slot): 1-4 the windowed dimensions
 * (requests, input tokens, output tokens, cost) as hashes of bucket fields "<window id><bucket>",
 * 5 the consumer's lease set, 6 the route's global lease set, 7 the alert marks.
 * Every key gets a PEXPIRE, so an idle consumer leaves nothing behind.
 */

/** Reads `now` (ARGV or Redis TIME) and the compiled spec that starts at ARGV[first]. */
const PRELUDE = `
local function clock(arg)
  local n = tonumber(arg)
  if n then return n end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function spec(first)
  local s = { cc = tonumber(ARGV[first]), gc = tonumber(ARGV[first + 1]), ratio = tonumber(ARGV[first + 2]),
    soft = tonumber(ARGV[first + 3]), lease = tonumber(ARGV[first + 4]), dims = {} }
  local p = first + 5
  for d = 1, 4 do
    local nw = tonumber(ARGV[p]); p = p + 1
    local ws = {}
    for w = 1, nw do
      ws[w] = { id = ARGV[p], len = tonumber(ARGV[p + 1]), g = tonumber(ARGV[p + 2]), cap = tonumber(ARGV[p + 3]) }
      ws[w].n = ws[w].len / ws[w].g
      p = p + 4
    end
    s.dims[d] = ws
  end
  return s
end
`;

export const ADMIT_LUA = `${PRELUDE}
local now = clock(ARGV[1])
local lease = ARGV[2]
local amt = { tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]) }
local S = spec(7)
local fail, retry = -1, 0
local used, newest = {}, {}

local function retry_after(w, buckets, u, a)
  if a > w.cap then return w.len end
  local need = u + a - w.cap
  table.sort(buckets, function(x, y) return x[1] < y[1] end)
  local freed = 0
  for _, bv in ipairs(buckets) do
    freed = freed + bv[2]
    if freed >= need then return math.max(1, (bv[1] + w.n + 1) * w.g - now) end
  end
  return w.len
end

for d = 1, 4 do
  local ws = S.dims[d]
  used[d], newest[d] = {}, {}
  local live = {}
  for w = 1, #ws do used[d][w] = 0; newest[d][w] = -1; live[w] = {} end
  local h = redis.call('HGETALL', KEYS[d])
  local stale = {}
  for i = 1, #h, 2 do
    local f = h[i]
    local id, b, v = string.sub(f, 1, 1), tonumber(string.sub(f, 2)), tonumber(h[i + 1])
    local keep = false
    for w = 1, #ws do
      local W = ws[w]
      if W.id == id and b >= math.floor(now / W.g) - W.n then
        keep = true
        used[d][w] = used[d][w] + v
        if b > newest[d][w] then newest[d][w] = b end
        live[w][#live[w] + 1] = { b, v }
      end
    end
    if not keep then stale[#stale + 1] = f end
  end
  for i = 1, #stale, 500 do redis.call('HDEL', KEYS[d], unpack(stale, i, math.min(i + 499, #stale))) end
  for w = 1, #ws do
    if fail < 0 and used[d][w] + amt[d] > ws[w].cap then
      fail = d - 1
      retry = retry_after(ws[w], live[w], used[d][w], amt[d])
    end
  end
end

redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', now)
if fail < 0 and redis.call('ZCARD', KEYS[5]) >= S.cc then fail, retry = 4, 1000 end
if fail < 0 and redis.call('ZCARD', KEYS[6]) >= S.gc then fail, retry = 5, 1000 end

local alerts = {}
if fail < 0 then
  for d = 1, 4 do
    local ws = S.dims[d]
    local longest = 0
    for w = 1, #ws do
      local W = ws[w]
      longest = math.max(longest, W.len + W.g)
      if amt[d] > 0 then
        local b = math.floor(now / W.g)
        redis.call('HINCRBY', KEYS[d], W.id .. b, amt[d])
        used[d][w] = used[d][w] + amt[d]
        newest[d][w] = b
      end
    end
    if amt[d] > 0 then redis.call('PEXPIRE', KEYS[d], longest) end
  end
  redis.call('ZADD', KEYS[5], now + S.lease, lease)
  redis.call('PEXPIRE', KEYS[5], S.lease + 1000)
  redis.call('ZADD', KEYS[6], now + S.lease, lease)
  redis.call('PEXPIRE', KEYS[6], S.lease + 1000)

  local function fire(field, len)
    local until_ = tonumber(redis.call('HGET', KEYS[7], field))
    if until_ and until_ > now then return false end
    redis.call('HSET', KEYS[7], field, now + len)
    redis.call('PEXPIRE', KEYS[7], 3660000)
    return true
  end
  for d = 1, 4 do
    local ws = S.dims[d]
    for w = 1, #ws do
      if used[d][w] >= S.ratio * ws[w].cap and fire('q' .. (d - 1) .. ws[w].id, ws[w].len) then
        alerts[#alerts + 1] = 'q' .. (d - 1) .. ws[w].id .. ':' .. used[d][w]
      end
    end
  end
  local hour = S.dims[4][1]
  if amt[4] > 0 and used[4][1] >= S.soft and fire('soft', hour.len) then alerts[#alerts + 1] = 'soft:' .. used[4][1] end
end

local views = {}
for d = 1, 4 do
  local ws = S.dims[d]
  local bl, br, bt = nil, nil, 0
  for w = 1, #ws do
    local W = ws[w]
    local rem = math.max(0, W.cap - used[d][w])
    local reset = 0
    if used[d][w] > 0 and newest[d][w] >= 0 then reset = math.max(0, (newest[d][w] + W.n + 1) * W.g - now) end
    if br == nil or rem < br then bl, br, bt = W.cap, rem, reset end
  end
  views[#views + 1] = bl
  views[#views + 1] = br
  views[#views + 1] = bt
end
return { fail < 0 and 1 or 0, now, fail, retry, views, alerts }
`;

export const SETTLE_LUA = `${PRELUDE}
local now = clock(ARGV[1])
local at = tonumber(ARGV[2])
local lease = ARGV[3]
local S = spec(8)
for d = 1, 4 do
  local delta = tonumber(ARGV[3 + d])
  if delta ~= 0 then
    local longest = 0
    for _, W in ipairs(S.dims[d]) do
      longest = math.max(longest, W.len + W.g)
      local b = math.floor(at / W.g)
      if b >= math.floor(now / W.g) - W.n then
        if redis.call('HINCRBY', KEYS[d], W.id .. b, delta) <= 0 then redis.call('HDEL', KEYS[d], W.id .. b) end
      end
    end
    if delta > 0 then redis.call('PEXPIRE', KEYS[d], longest) end
  end
end
redis.call('ZREM', KEYS[5], lease)
redis.call('ZREM', KEYS[6], lease)
return 1
`;
