-- Learn one page of a site: count each short line once per document (site furniture).
-- KEYS: lines zset, docs zset.  ARGV: ttl seconds, max lines, max docs, doc signature, now, line keys...
-- Returns 1 when learned, 0 when this document was already counted.
local added = redis.call('ZADD', KEYS[2], 'NX', ARGV[5], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[1])
if added == 0 then
  return 0
end
local ndocs = redis.call('ZCARD', KEYS[2])
if ndocs > tonumber(ARGV[3]) then
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, ndocs - tonumber(ARGV[3]) - 1)
end
for i = 6, #ARGV do
  redis.call('ZINCRBY', KEYS[1], 1, ARGV[i])
end
local cap = tonumber(ARGV[2])
local nlines = redis.call('ZCARD', KEYS[1])
if nlines > 2 * cap then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, nlines - cap - 1)
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
