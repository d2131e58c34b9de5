-- Admit one input atomically: its source, its raw bytes, or a new alias of known bytes.
-- KEYS: source, raw, aliases, stats, record, pending
-- ARGV: name, path, size, sha256, now, has_raw, raw, error_type, error_message, max_aliases, id
-- Returns (newsflow.store.Admitted) 1: new (stored, to be queued); 0: known name, result committed;
--         2: new alias, result pending; 3: new alias, result already committed;
--         4: known name, no result yet (queue it again: an admission may have
--            been cut off before its message was sent; a second message is harmless).
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('HGET', KEYS[1], 'name') == ARGV[1] then
    if redis.call('EXISTS', KEYS[5]) == 1 then return 0 end
    redis.call('ZADD', KEYS[6], ARGV[5], ARGV[11])  -- a message is about to be queued: a sign of life
    return 4
  end
  local known = redis.call('LRANGE', KEYS[3], 0, -1)
  for _, n in ipairs(known) do
    if n == ARGV[1] then return 0 end
  end
  if #known >= tonumber(ARGV[10]) then return 0 end
  redis.call('RPUSH', KEYS[3], ARGV[1])
  if redis.call('EXISTS', KEYS[5]) == 1 then return 3 end
  return 2
end
redis.call('HSET', KEYS[1], 'name', ARGV[1], 'path', ARGV[2], 'bytes', ARGV[3],
           'sha256', ARGV[4], 'admitted_at', ARGV[5])
if ARGV[8] ~= '' then
  redis.call('HSET', KEYS[1], 'error_type', ARGV[8], 'error_message', ARGV[9])
end
if ARGV[6] == '1' then redis.call('SET', KEYS[2], ARGV[7]) end
redis.call('HINCRBY', KEYS[4], 'admitted', 1)
redis.call('ZADD', KEYS[6], ARGV[5], ARGV[11])
return 1
