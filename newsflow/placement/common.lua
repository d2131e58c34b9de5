-- Shared by every index script (prepended to each after the generated prelude of
-- newsflow/placement/layout.py, which binds the constants, the record layout and the keys).
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
-- The cosine of an int8 embedding (values `qv`, sum of squares `qn`) with one stored as bytes `s`
-- (nil when `s` is absent or zero): the dot product and the norm in one pass.
local function cosine_int8(qv, qn, s)
  if #s < EMBED then return nil end
  local cv, dot, n = {struct.unpack(EFMT, s)}, 0, 0
  for j = 1, EMBED do
    local x = cv[j]
    dot, n = dot + qv[j] * x, n + x * x
  end
  if n == 0 then return nil end
  return dot / math.sqrt(qn * n)
end
-- Retention: numbers under the floor are past it. Their chunks go once the floor passes them
-- whole; a story's first article or an original whose story or copies live on is kept apart
-- (K_KEPT: 16-byte id, then its record) for the members that read its id and update its counts.
local FLOOR = tonumber(redis.call('GET', K_FLOOR) or '1')
local function held(n) return n >= FLOOR end
-- `len` bytes at `off` of record n ('' when past retention and not kept).
local function rec_bytes(n, off, len)
  if held(n) then return redis.call('GETRANGE', rkey(n), roff(n) + off, roff(n) + off + len - 1) end
  local s = redis.call('HGET', K_KEPT, n)
  if not s then return '' end
  return string.sub(s, 17 + off, 16 + off + len)
end
local function get_u32(n, off)
  local s = rec_bytes(n, off, 4)
  if #s < 4 then return 0 end
  return (struct.unpack('<I4', s))
end
local function set_u32(n, off, v)
  if held(n) then
    redis.call('SETRANGE', rkey(n), roff(n) + off, struct.pack('<I4', v))
    return
  end
  local s = redis.call('HGET', K_KEPT, n)
  if s then redis.call('HSET', K_KEPT, n, string.sub(s, 1, 16 + off) .. struct.pack('<I4', v) .. string.sub(s, 21 + off)) end
end
local function id_of(n)
  if n == nil or n == 0 then return '' end
  if not held(n) then return string.sub(redis.call('HGET', K_KEPT, n) or '', 1, 16) end
  local c = math.floor((n - 1) / NUM_CHUNK)
  local o = ((n - 1) % NUM_CHUNK) * 16
  return redis.call('GETRANGE', P_NUM .. c, o, o + 15)
end
local function line(key, off, len)  -- a table line; zeros where the string is not yet written
  local s = redis.call('GETRANGE', key, off, off + len - 1)
  if #s < len then s = s .. string.rep('\0', len - #s) end
  return s
end
-- The shard of a sharded hash (id map, sha map): its key's first two bytes, mod ID_SHARDS.
local function shard(raw) return (string.byte(raw, 1) * 256 + string.byte(raw, 2)) % ID_SHARDS end
-- The number of an article id (nil if none); `expired` when it is past retention (stored negative).
local function num_of(aid)
  local v = redis.call('HGET', P_ID .. shard(aid), aid)
  if not v then return nil end
  v = tonumber(v)
  return math.abs(v), v < 0
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
  local s = rec_bytes(n, 0, HEADER)
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
-- The near-copy candidates of LSH rows (packed <I4, one band each) in the fixed LSH table: the
-- articles in the article's buckets, first seen first, and the slots it would take there
-- ({byte offset, tag}: a free entry, else its oldest, while the bucket holds fewer than `bucket`).
local function lsh_scan(lsh, lines, bucket)
  local LFMT = '<' .. string.rep('I2I4', LSH_WAYS)
  local slots, taken, cands, order = {}, {}, {}, {}  -- taken: offsets chosen by an earlier band
  for b = 0, math.floor(#lsh / 4) - 1 do
    local v = struct.unpack('<I4', lsh, b * 4 + 1)
    local off = ((v + b * 2654435761) % lines) * 64  -- bands spread over one table
    local tag = math.floor(v / 65536)
    local e = {struct.unpack(LFMT, line(K_LSH, off, 6 * LSH_WAYS))}
    local mine, free, oldest, oldest_n = 0, nil, nil, nil
    for w = 0, LSH_WAYS - 1 do
      local t, c = e[2 * w + 1], e[2 * w + 2]
      if c ~= 0 and c < FLOOR then c = 0 end  -- past retention: a free entry
      if c ~= 0 and t == tag then  -- this bucket (or, 1 in 65,536, a look-alike: verified anyway)
        mine = mine + 1
        if not cands[c] then cands[c] = true; order[#order + 1] = c end
      elseif taken[off + 6 * w] then
        -- chosen by an earlier band of this article
      elseif c == 0 then
        if not free then free = w end
      elseif not oldest_n or c < oldest_n then
        oldest, oldest_n = w, c
      end
    end
    local w = free or oldest
    if mine < bucket and w then
      taken[off + 6 * w] = true
      slots[#slots + 1] = {off + 6 * w, tag}
    end
  end
  return order, slots
end
-- The candidate that contains the most of a text (MinHash `mh`, `shingles` shingles), verified
-- with the stored b-bit MinHash: (containment, Jaccard, number), or (-1, -1, nil) for none.
local function best_copy(order, mh, shingles)
  local best_c, best_j, best = -1, -1, nil
  for _, c in ipairs(order) do
    local off = roff(c)
    local csh = struct.unpack('<I4', redis.call('GETRANGE', rkey(c), off + OFF.shingles, off + OFF.shingles + 3))
    local other = redis.call('GETRANGE', rkey(c), off + HEADER, off + HEADER + NPERM - 1)
    local same = 0
    for i = 1, NPERM do
      if string.byte(mh, i) == string.byte(other, i) then same = same + 1 end
    end
    local j = (same / NPERM - 1 / 256) / (1 - 1 / 256)
    if j < 0 then j = 0 end
    local cont = 0
    if csh > 0 then
      cont = j * (shingles + csh) / (1 + j) / math.min(shingles, csh)
      if cont > 1 then cont = 1 end
    end
    if cont > best_c or (cont == best_c and j > best_j) then best_c, best_j, best = cont, j, c end
  end
  return best_c, best_j, best
end
local function is_copy(c, j, P) return j >= P.jalone or (c >= P.cmin and j >= P.jmin) end
