/**
 * Atomic job transitions (one round trip each). The job's JSON carries its state, so exactly one
 * worker may take it (`queued` → `running` with a lease) and only the lease holder records its end.
 * A lease that expired (its worker was SIGKILLed) lets another worker take the job again.
 * The state holds scalars only (the result as JSON text): cjson would turn an empty array into an
 * object, so the request itself (body, identity) lives in a separate key written once.
 */

/** KEYS[1] job key; ARGV owner, now, leaseMs. Returns the job JSON when taken, or nil. */
export const TAKE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return nil end
local j = cjson.decode(raw)
local now = tonumber(ARGV[2])
if j.status == 'queued' or (j.status == 'running' and tonumber(j.leaseUntil) < now) then
  j.status = 'running'
  j.owner = ARGV[1]
  j.leaseUntil = now + tonumber(ARGV[3])
  j.attempts = tonumber(j.attempts) + 1
  j.updatedAt = now
  local ttl = redis.call('PTTL', KEYS[1])
  local out = cjson.encode(j)
  if ttl > 0 then redis.call('SET', KEYS[1], out, 'PX', ttl) else redis.call('SET', KEYS[1], out) end
  return out
end
return nil`;

/**
 * KEYS[1] job key; ARGV owner, now, new status, result JSON text ('' for none), ttlMs. Only the lease
 * holder may finish or release a job: 1 when written, 0 otherwise.
 */
export const FINISH = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local j = cjson.decode(raw)
if j.status ~= 'running' or j.owner ~= ARGV[1] then return 0 end
j.status = ARGV[3]
j.owner = cjson.null
j.updatedAt = tonumber(ARGV[2])
if ARGV[4] ~= '' then j.result = ARGV[4] end
redis.call('SET', KEYS[1], cjson.encode(j), 'PX', tonumber(ARGV[5]))
return 1`;

/** KEYS[1] delayed zset, KEYS[2] stream; ARGV now, max. Moves due job ids back into the stream. */
export const PROMOTE = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('XADD', KEYS[2], '*', 'job', id)
end
return #ids`;
