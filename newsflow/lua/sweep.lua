-- Claim the articles whose message may have been lost: admitted, no result yet, and no sign
-- of life (a message queued, a delivery started) before ARGV[1], except the ids from ARGV[4]
-- on (their message is in a worker's hands). Each claimed id is scored ARGV[2] (now), so no
-- other sweeper (every worker node runs one) claims it again for a period.
-- KEYS: pending, stats
-- ARGV: cutoff (exclusive), now, limit, ids to skip...
-- Returns id, last sign of life, id, last sign of life, ...; the caller queues a message for each id.
local limit = tonumber(ARGV[3])
local skip = {}
for i = 4, #ARGV do skip[ARGV[i]] = true end
local found = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'WITHSCORES',
                         'LIMIT', 0, limit + #ARGV - 3)
local out = {}
for i = 1, #found, 2 do
  if not skip[found[i]] and #out < 2 * limit then
    out[#out + 1] = found[i]
    out[#out + 1] = found[i + 1]
    redis.call('ZADD', KEYS[1], ARGV[2], found[i])
  end
end
if #out > 0 then redis.call('HINCRBY', KEYS[2], 'requeued', #out / 2) end
return out
