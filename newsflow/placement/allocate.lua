-- Allocates a table at its full size once (atomically: a line written meanwhile is kept), so it
-- is not regrown step by step by the first inserts. KEYS[1] the table, ARGV[1] its size in bytes.
if redis.call('STRLEN', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SETRANGE', KEYS[1], tonumber(ARGV[1]) - 1, '\0')
end
return redis.call('STRLEN', KEYS[1])
