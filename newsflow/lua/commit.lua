-- Commit one article's result atomically: record, status, counters (exact under redelivery),
-- the failed set, the results stream (once per article), the raw bytes released, no longer pending,
-- its retention counted from its first commit.
-- KEYS: record, stats, stream, raw, failed, attempts, status, results_blocked, pending, expiry
-- ARGV: id, record_json, code, story_id, duplicate_of, now, maxlen
local old = redis.call('HGET', KEYS[7], ARGV[1])
redis.call('ZREM', KEYS[8], ARGV[1])
redis.call('SET', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[7], ARGV[1], ARGV[3])
local function count(code, by)
  if code == 'ok' then redis.call('HINCRBY', KEYS[2], 'done', by)
  elseif code == 'dup' then
    redis.call('HINCRBY', KEYS[2], 'done', by)
    redis.call('HINCRBY', KEYS[2], 'duplicates', by)
  elseif code == 'failed' then redis.call('HINCRBY', KEYS[2], 'failed', by) end
end
if old ~= ARGV[3] then
  if old then count(old, -1) end
  count(ARGV[3], 1)
end
if ARGV[3] == 'failed' then
  redis.call('ZADD', KEYS[5], ARGV[6], ARGV[1])
else
  redis.call('ZREM', KEYS[5], ARGV[1])
end
redis.call('DEL', KEYS[4], KEYS[6])
redis.call('ZREM', KEYS[9], ARGV[1])
redis.call('ZADD', KEYS[10], 'NX', ARGV[6], ARGV[1])
if not old then
  local n = redis.call('HINCRBY', KEYS[2], 'streamed', 1)  -- the entry's number: followers see gaps
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*', 'id', ARGV[1], 'status', ARGV[3],
             'story_id', ARGV[4], 'duplicate_of', ARGV[5], 'n', n)
  return 1
end
return 0
