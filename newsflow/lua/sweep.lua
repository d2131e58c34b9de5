-- Claim the articles whose message may have been lost: admitted, no result yet, and no sign
-- of life (a message queued, a delivery started) before ARGV[1]. Each claimed id is scored
-- ARGV[2] (now), so no other sweeper (every worker node runs one) claims it again for a period.
-- KEYS: pending, stats
-- ARGV: cutoff (exclusive), now, limit
-- Returns id, last sign of life, id, last sign of life, ...; the caller queues a message for each id.
local found = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'WITHSCORES',
                         'LIMIT', 0, tonumber(ARGV[3]))
for i = 1, #found, 2 do
  redis.call('ZADD', KEYS[1], ARGV[2], found[i])
end
if #found > 0 then redis.call('HINCRBY', KEYS[2], 'requeued', #found / 2) end
return found
