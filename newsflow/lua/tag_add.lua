-- One atomic step per article: the membership test and every increment happen
-- together, so a redelivered (or concurrently re-run) article is counted once.
-- KEYS: indexed, entities hash, entity_counts, topic_counts, df, docs
-- ARGV: article id, n_entities, n_topics, then per entity (set key, name key,
--       json, n_parts, part keys...), per topic (set key, topic name), then terms.
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
local id = ARGV[1]
local ne = tonumber(ARGV[2])
local nt = tonumber(ARGV[3])
local i = 4
for _ = 1, ne do
  local setkey, nkey, meta, nparts = ARGV[i], ARGV[i+1], ARGV[i+2], tonumber(ARGV[i+3])
  i = i + 4
  if redis.call('SADD', setkey, id) == 1 then
    redis.call('ZINCRBY', KEYS[3], 1, nkey)
  end
  redis.call('HSETNX', KEYS[2], nkey, meta)
  for _ = 1, nparts do
    redis.call('SADD', ARGV[i], nkey)
    i = i + 1
  end
end
for _ = 1, nt do
  if redis.call('SADD', ARGV[i], id) == 1 then
    redis.call('ZINCRBY', KEYS[4], 1, ARGV[i+1])
  end
  i = i + 2
end
for j = i, #ARGV do
  redis.call('HINCRBY', KEYS[5], ARGV[j], 1)
end
redis.call('INCR', KEYS[6])
return 1
