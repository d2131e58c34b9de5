-- An article past retention leaves Redis whole: record, source, aliases, status entry, failed
-- entry, and its memberships in the tag index with the counts kept right (an entity or topic no
-- article mentions any more leaves the counts and the name table). Idempotent.
-- KEYS: expiry, record, source, aliases, status, failed, tag indexed, tag entities, entity_counts,
--       topic_counts
-- ARGV: id, n_entities, n_topics, then per entity (set key, name key, n_parts, part keys...),
--       per topic (set key, topic name) (as tag_add.lua receives them, without the JSON)
local id = ARGV[1]
if redis.call('SREM', KEYS[7], id) == 1 then
  local ne, nt, i = tonumber(ARGV[2]), tonumber(ARGV[3]), 4
  for _ = 1, ne do
    local setkey, nkey, nparts = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
    i = i + 3
    if redis.call('SREM', setkey, id) == 1 and tonumber(redis.call('ZINCRBY', KEYS[9], -1, nkey)) <= 0 then
      redis.call('ZREM', KEYS[9], nkey)
      redis.call('HDEL', KEYS[8], nkey)
      for j = i, i + nparts - 1 do redis.call('SREM', ARGV[j], nkey) end
    end
    i = i + nparts
  end
  for _ = 1, nt do
    if redis.call('SREM', ARGV[i], id) == 1 and tonumber(redis.call('ZINCRBY', KEYS[10], -1, ARGV[i + 1])) <= 0 then
      redis.call('ZREM', KEYS[10], ARGV[i + 1])
    end
    i = i + 2
  end
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
redis.call('HDEL', KEYS[5], id)
redis.call('ZREM', KEYS[6], id)
redis.call('ZREM', KEYS[1], id)
return 1
