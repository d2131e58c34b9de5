-- Retention: mark articles past it, then move the floor over every number whose article is past
-- it (or was placed anew), deleting each chunk the floor passes whole. A story's first article or
-- an original with later members or copies is kept apart (K_KEPT) until its newest one is passed.
-- ARG: 1 most numbers the floor may pass in this call, then (raw id, sha8 or '') per article.
-- Returns {articles marked, floor, records kept}.
local marked = 0
for i = 2, #ARG - 1, 2 do
  local aid, sha8 = ARG[i], ARG[i + 1]
  local n, expired = num_of(aid)
  if n and not expired then
    redis.call('HSET', P_ID .. shard(aid), aid, -n)
    if #sha8 == 8 and tonumber(redis.call('HGET', P_SHA .. shard(sha8), sha8) or '0') == n then
      redis.call('HDEL', P_SHA .. shard(sha8), sha8)
    end
    marked = marked + 1
  end
end
-- The floor stops at the first number whose article is still held (or still being processed).
local seq = tonumber(redis.call('GET', K_SEQ) or '0')
local f, kept, limit = FLOOR, 0, FLOOR + tonumber(ARG[1])
while f <= seq and f < limit do
  local aid = id_of(f)
  local key = P_ID .. shard(aid)
  local v = tonumber(redis.call('HGET', key, aid) or '0')
  if v == f then break end
  if v == -f then
    local h = header(f)
    local last = math.max(h.story == f and h.story_last or 0, h.root == f and h.dup_last or 0)
    if last > f then
      redis.call('HSET', K_KEPT, f, aid .. redis.call('GETRANGE', rkey(f), roff(f), roff(f) + REC - 1))
      redis.call('ZADD', K_KEPT_UNTIL, last, f)
      kept = kept + 1
    else
      redis.call('HDEL', key, aid)
    end
  end
  redis.call('SETRANGE', P_NUM .. math.floor((f - 1) / NUM_CHUNK), ((f - 1) % NUM_CHUNK) * 16, string.rep('\0', 16))
  f = f + 1
end
if f > FLOOR then
  redis.call('SET', K_FLOOR, f)
  -- the chunks below the floor's; the floor's own too when it passed every number handed out
  local last = (f > seq) and f - 1 or f
  for _, fam in ipairs({{P_REC, REC_CHUNK}, {P_NUM, NUM_CHUNK}, {P_VEC, VEC_CHUNK}}) do
    for c = math.floor((FLOOR - 1) / fam[2]), math.floor((last - 1) / fam[2]) - (last == f and 1 or 0) do
      redis.call('DEL', fam[1] .. c)
    end
  end
end
-- Kept records whose newest member or copy the floor has passed leave, with their id.
for _, m in ipairs(redis.call('ZRANGEBYSCORE', K_KEPT_UNTIL, '-inf', '(' .. f, 'LIMIT', 0, 1000)) do
  local aid = string.sub(redis.call('HGET', K_KEPT, m) or '', 1, 16)
  if #aid == 16 and tonumber(redis.call('HGET', P_ID .. shard(aid), aid) or '0') == -tonumber(m) then
    redis.call('HDEL', P_ID .. shard(aid), aid)
  end
  redis.call('HDEL', K_KEPT, m)
  redis.call('ZREM', K_KEPT_UNTIL, m)
end
return {marked, f, kept}
