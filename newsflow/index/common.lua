-- Shared by every index script (prepended to each after the generated prelude of
-- newsflow/index/layout.py, which binds the constants, the record layout and the keys).
local VFMT = '<' .. string.rep('I4B', MAXVEC)
local EFMT = '<' .. string.rep('b', EMBED)

local function rkey(n) return P_REC .. math.floor((n - 1) / REC_CHUNK) end
local function roff(n) return ((n - 1) % REC_CHUNK) * REC end
local function vkey(n) return P_VEC .. math.floor((n - 1) / VEC_CHUNK) end
local function voff(n) return ((n - 1) % VEC_CHUNK) * EMBED end
-- A chunk string is made at its full size the first time: grown by SETRANGE instead, Redis
-- over-allocates it (it doubles a string's room as it grows), up to twice what it holds.
local function full_size(key, size)
  if redis.call('EXISTS', key) == 0 then redis.call('SET', key, string.rep('\0', size)) end
end
-- An int8 embedding as a table of its values and their sum of squares (nil when absent or zero).
local function embedding(s)
  if #s < EMBED then return nil, 0 end
  local v, n = {struct.unpack(EFMT, s)}, 0
  for i = 1, EMBED do n = n + v[i] * v[i] end
  if n == 0 then return nil, 0 end
  return v, n
end
local function get_u32(n, off)
  local s = redis.call('GETRANGE', rkey(n), roff(n) + off, roff(n) + off + 3)
  if #s < 4 then return 0 end
  return (struct.unpack('<I4', s))
end
local function set_u32(n, off, v)
  redis.call('SETRANGE', rkey(n), roff(n) + off, struct.pack('<I4', v))
end
local function id_of(n)
  if n == nil or n == 0 then return '' end
  local c = math.floor((n - 1) / NUM_CHUNK)
  local o = ((n - 1) % NUM_CHUNK) * 16
  return redis.call('GETRANGE', P_NUM .. c, o, o + 15)
end
local function line(key, off, len)  -- a table line; zeros where the string is not yet written
  local s = redis.call('GETRANGE', key, off, off + len - 1)
  if #s < len then s = s .. string.rep('\0', len - #s) end
  return s
end
local function id_shard(aid) return (string.byte(aid, 1) * 256 + string.byte(aid, 2)) % ID_SHARDS end
local function num_of(aid)
  local v = redis.call('HGET', P_ID .. id_shard(aid), aid)
  if v then return tonumber(v) end
  return nil
end
-- The k best of `items` by score[item] descending, ties by item descending, in that order.
-- One pass keeping a sorted top list: no full sort of every candidate.
local function top_k(items, score, k)
  local top, n = {}, 0
  for _, c in ipairs(items) do
    local sc = score[c]
    if n < k or sc > score[top[n]] or (sc == score[top[n]] and c > top[n]) then
      local i = (n < k) and n + 1 or n
      while i > 1 do
        local p = top[i - 1]
        local sp = score[p]
        if sp > sc or (sp == sc and p > c) then break end
        top[i] = p
        i = i - 1
      end
      top[i] = c
      if n < k then n = n + 1 end
    end
  end
  return top
end
-- A record's header as a table of its fields by name (the layout: HFIELDS, HFMT, OFF).
local function header(n)
  local s = redis.call('GETRANGE', rkey(n), roff(n), roff(n) + HEADER - 1)
  if #s < HEADER then s = s .. string.rep('\0', HEADER - #s) end
  local v, h = {struct.unpack(HFMT, s)}, {}
  for i, name in ipairs(HFIELDS) do h[name] = v[i] end
  return h, s
end
-- What Python needs of an article's placement: its id, its original's and story's ids, the
-- ids of the candidates its decisions name, and the raw header (decoded by layout.py).
local function describe(n)
  local h, raw = header(n)
  local dup = ''
  if h.root ~= n then dup = id_of(h.root) end
  return {id_of(n), dup, id_of(h.story), id_of(h.dup_via), id_of(h.story_via), raw}
end
