-- Claim the articles whose message may have been lost: admitted, no result yet, and no sign
-- of life (a message queued, a delivery started) before ARGV[1], or before ARGV[2] for the ids
-- from ARGV[5] on (their message is in a worker's hands: ARGV[2] <= ARGV[1]). Each claimed id is
-- scored ARGV[3] (now), so no other sweeper (every worker node runs one) claims it again for a
-- period.
-- KEYS: pending, stats
-- ARGV: cutoff (exclusive), cutoff of the held ids (exclusive), now, limit, held ids...
-- Returns id, last sign of life, id, last sign of life, ...; the caller queues a message for each id.
local limit = tonumber(ARGV[4])
local held_cutoff = tonumber(ARGV[2])
local held = {}
for i = 5, #ARGV do held[ARGV[i]] = true end
local found = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'WITHSCORES',
                         'LIMIT', 0, limit + #ARGV - 4)
local out = {}
for i = 1, #found, 2 do
  if #out < 2 * limit and (not held[found[i]] or tonumber(found[i + 1]) < held_cutoff) then
    out[#out + 1] = found[i]
    out[#out + 1] = found[i + 1]
    redis.call('ZADD', KEYS[1], ARGV[3], found[i])
  end
end
if #out > 0 then redis.call('HINCRBY', KEYS[2], 'requeued', #out / 2) end
return out
