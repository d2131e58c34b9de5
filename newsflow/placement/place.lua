-- Place one article: find its original and its story and insert it, atomically.
-- ARG: 1 raw id (16 bytes), 2 sha8, 3 minhash (128 bytes), 4 shingles, 5 day,
--      6 params (JSON), 7 LSH rows (packed <I4), 8 story terms (JSON [[hash, weight], ...]),
--      9 embedding (EMBED int8 bytes, or empty: the article is compared by its story terms),
--      10 the nearest earlier articles by embedding (packed <I4 numbers, newsflow.placement.nearest),
--      11 the number through which they were sought ('' none: then 10 is empty too)
-- Returns describe(): the stored placement when the id was placed before (idempotent).
local aid, sha8, mh = ARG[1], ARG[2], ARG[3]
local shingles, day = tonumber(ARG[4]), tonumber(ARG[5])
local P = cjson.decode(ARG[6])

local existing, expired = num_of(aid)
if existing and not expired then return describe(existing) end  -- (past retention: placed anew)

local num = redis.call('INCR', K_SEQ)
redis.call('HSET', P_ID .. shard(aid), aid, num)
redis.call('SETRANGE', P_NUM .. math.floor((num - 1) / NUM_CHUNK), ((num - 1) % NUM_CHUNK) * 16, aid)

local function scaled(x) return math.floor(math.max(0, math.min(1, x)) * 10000 + 0.5) end

-- 1. exact copy ------------------------------------------------------------
local root, dup_method, dup_c, dup_j, dup_via, dup_cands = num, 0, 0, 0, 0, 0
local sha_key = P_SHA .. shard(sha8)
local first = tonumber(redis.call('HGET', sha_key, sha8) or '0')
if held(first) then
  root, dup_method, dup_c, dup_j, dup_via, dup_cands = get_u32(first, OFF.root), 1, 1, 1, first, 1
else
  redis.call('HSET', sha_key, sha8, num)
end

-- 2. near copy: LSH candidates, verified with the b-bit MinHash ----------------
local order, bucket_slots = lsh_scan(ARG[7], P.lsh_lines, P.bucket)
if dup_method == 0 and shingles > 0 then
  local best_c, best_j, best = best_copy(order, mh, shingles)
  dup_cands = #order
  if best then
    dup_c, dup_j, dup_via = best_c, best_j, best
    if is_copy(best_c, best_j, P) then root, dup_method = get_u32(best, OFF.root), 2 end
  end
end
for _, f in ipairs(bucket_slots) do
  redis.call('SETRANGE', K_LSH, f[1], struct.pack('<I2I4', f[2], num))
end

-- 3. story -----------------------------------------------------------------
local story, story_method, story_sim, story_via, story_cands = num, 0, 0, 0, 0
local vec = {}
local qv, qn = embedding(ARG[9])
local story_signal = qv and 1 or 0
if root ~= num then
  story, story_method = get_u32(root, OFF.story), 2
else
  local terms = cjson.decode(ARG[8])
  local n_docs = tonumber(redis.call('GET', K_ORIGINALS) or '0')
  local weighted = {}
  local DT, DFMT = K_DF, '<' .. string.rep('I4I4', DF_WAYS)
  for _, t in ipairs(terms) do
    local h, w = t[1], t[2]
    local off = (h % P.df_lines) * 64
    local e = {struct.unpack(DFMT, line(DT, off, 8 * DF_WAYS))}
    local slot, df, least, least_n = nil, 0, 0, nil
    for k = 0, DF_WAYS - 1 do
      local th, c = e[2 * k + 1], e[2 * k + 2]
      if c > 0 and th == h then slot, df = k, c; break end
      if not least_n or c < least_n then least, least_n = k, c end  -- empty (0) or least frequent
    end
    -- the frequency before this article; a new term takes an empty slot or the least frequent term's
    redis.call('SETRANGE', DT, off + 8 * (slot or least), struct.pack('<I4I4', h, df + 1))
    local idf = math.log((n_docs + 1) / (df + 1)) + 1
    weighted[#weighted + 1] = {h, w * idf, df, idf}
  end
  redis.call('INCR', K_ORIGINALS)
  table.sort(weighted, function(a, b) if a[2] ~= b[2] then return a[2] > b[2] end return a[1] < b[1] end)
  local k = math.min(P.vector, MAXVEC, #weighted)
  local norm = 0
  for i = 1, k do norm = norm + weighted[i][2] * weighted[i][2] end
  norm = math.sqrt(norm)
  local qnorm = 0
  for i = 1, k do
    local q = math.floor(weighted[i][2] / norm * 255 + 0.5)
    if q < 1 then q = 1 end
    vec[i] = {weighted[i][1], q}
    qnorm = qnorm + q * q
  end
  qnorm = math.sqrt(qnorm)
  -- the query side keeps every term (full TF-IDF vector); stored vectors keep their top terms
  local mine, fnorm = {}, 0
  for _, t in ipairs(weighted) do mine[t[1]] = t[2]; fnorm = fnorm + t[2] * t[2] end
  fnorm = math.sqrt(fnorm)
  -- candidates: earlier articles that registered one of this article's terms (each registers
  -- its `postings` strongest terms; the query looks up its `lookups` strongest terms seen before)
  local PT, PLEN = K_POST, 8 + 4 * POST_MAX
  -- a term's posting line (byte offset, contents) and its slot there (nil if it has none)
  local function post_line(h)
    local off = (h % P.post_lines) * 128
    local s = line(PT, off, POST_WAYS * PLEN)
    for k = 0, POST_WAYS - 1 do
      local th, n = struct.unpack('<I4I4', s, k * PLEN + 1)
      if n > 0 and th == h then return off, s, k end
    end
    return off, s, nil
  end
  local function postings(h)
    local _, s, k = post_line(h)
    if not k then return '' end
    local n = struct.unpack('<I4', s, k * PLEN + 5)
    return string.sub(s, k * PLEN + 9, k * PLEN + 8 + 4 * n)
  end
  local hits, corder = {}, {}
  local looked, lists = 0, {}
  -- the `lookups` strongest terms seen before are looked up; so is a term the frequency table
  -- recycled (it looks unseen) whose posting list survived: the rare, story-specific terms of a
  -- story are the first the full table recycles
  for _, t in ipairs(weighted) do
    if looked >= P.lookups then break end
    local packed = postings(t[1])
    lists[t[1]] = packed
    if t[3] > 0 or #packed > 0 then
      looked = looked + 1
      for j = 1, #packed - 3, 4 do
        local c = struct.unpack('<I4', packed, j)
        if held(c) then
          if not hits[c] then hits[c] = 0; corder[#corder + 1] = c end
          hits[c] = hits[c] + t[4]
        end
      end
    end
  end
  local post_fields = {}
  for i = 1, math.min(P.postings, k) do
    local h = vec[i][1]
    local packed = lists[h] or postings(h)  -- a looked-up term's list is in hand
    post_fields[#post_fields + 1] = {h, packed}
  end
  -- the `maxcand` candidates sharing the most term weight (ties: the most recent), best first
  local top = top_k(corder, hits, P.maxcand)
  -- with an embedding, also the nearest earlier articles by embedding and every article placed
  -- since they were sought (at most `recent`, the newest): compared by embedding only, and only
  -- when no candidate sharing story terms reaches its threshold (a fallback: with them first
  -- on equal terms, the dev stories' F1 fell 0.904 -> 0.892 English, 0.773 -> 0.764 others)
  local by_embedding, sharing = {}, #top
  if qv and ARG[11] ~= '' then
    local seen = {}
    for _, c in ipairs(top) do seen[c] = true end
    local function add(c)
      if c < num and held(c) and not seen[c] then seen[c], by_embedding[c] = true, true; top[#top + 1] = c end
    end
    for j = 1, #ARG[10] - 3, 4 do add((struct.unpack('<I4', ARG[10], j))) end
    for c = math.max(tonumber(ARG[11]) + 1, num - P.recent), num - 1 do add(c) end
  end
  -- a candidate's similarity, signal and threshold (nil outside the window or with no signal):
  -- the cosine of the embeddings when both articles have one, else of the story-term vectors
  -- (a candidate found by embedding is compared by embedding only: its terms are not read)
  local function similarity(c)
    local off, only_embedding = roff(c), by_embedding[c]
    local s = redis.call('GETRANGE', rkey(c), off, off + (only_embedding and OFF.day + 1 or REC - 1))
    local cday = struct.unpack('<I2', s, OFF.day + 1)
    if day ~= 0 and cday ~= 0 and math.abs(day - cday) > P.window then return nil end
    story_cands = story_cands + 1
    if qv then
      local sim = cosine_int8(qv, qn, redis.call('GETRANGE', vkey(c), voff(c), voff(c) + EMBED - 1))
      if sim then return sim, 1, P.etheta end
    end
    if only_embedding or fnorm == 0 then return nil end
    local dot, cn = 0, 0
    local v = {struct.unpack(VFMT, s, HEADER + NPERM + 1)}  -- one call: term hash, weight, ...
    for j = 1, 2 * MAXVEC - 1, 2 do
      local q = v[j + 1]
      if q == 0 then break end
      cn = cn + q * q
      local m = mine[v[j]]
      if m then dot = dot + m * q end
    end
    if cn == 0 then return nil end
    return dot / (math.sqrt(cn) * fnorm), 0, P.theta
  end
  -- the best is the one furthest above its signal's threshold
  local best, best_sim, best_margin, best_signal = nil, 0, nil, story_signal
  for i = 1, #top do
    if i > sharing and best_margin and best_margin >= 0 then break end
    local c = top[i]
    local sim, signal, theta = similarity(c)
    if sim and (not best_margin or sim - theta > best_margin) then
      best, best_sim, best_margin, best_signal = c, sim, sim - theta, signal
    end
  end
  story_signal = best_signal
  if best then
    story_sim, story_via = best_sim, best
    if best_margin >= 0 then story, story_method = get_u32(best, OFF.story), 1 end
  end
  if qv then
    full_size(vkey(num), VEC_CHUNK * EMBED)
    redis.call('SETRANGE', vkey(num), voff(num), ARG[9])
  end
  for _, f in ipairs(post_fields) do
    local h = f[1]
    local packed = f[2] .. struct.pack('<I4', num)
    if #packed > 4 * P.postsize then packed = string.sub(packed, #packed - 4 * P.postsize + 1) end
    -- the term's slot, else an empty one, else the one whose newest article is oldest
    local off, s, k = post_line(h)
    if not k then
      local oldest
      for j = 0, POST_WAYS - 1 do
        local n = struct.unpack('<I4', s, j * PLEN + 5)
        local newest = n > 0 and struct.unpack('<I4', s, j * PLEN + 5 + 4 * n) or -1
        if not oldest or newest < oldest then k, oldest = j, newest end
      end
    end
    redis.call('SETRANGE', PT, off + k * PLEN, struct.pack('<I4I4', h, #packed / 4) .. packed)
  end
end

-- 4. link into the story and duplicate lists, write the record ---------------------
local story_prev, story_last, story_size = 0, 0, 1
if story == num then
  redis.call('INCR', K_STORIES)
else
  story_prev = get_u32(story, OFF.story_last)
  set_u32(story, OFF.story_last, num)
  redis.call('ZADD', K_KEPT_UNTIL, 'XX', num, story)  -- a kept first article lives on with its story
  set_u32(story, OFF.story_size, get_u32(story, OFF.story_size) + 1)
  story_size = 0
end
local dup_prev = 0
if root ~= num then
  dup_prev = get_u32(root, OFF.dup_last)
  set_u32(root, OFF.dup_last, num)
  redis.call('ZADD', K_KEPT_UNTIL, 'XX', num, root)
  set_u32(root, OFF.dup_count, get_u32(root, OFF.dup_count) + 1)
end
local rec = struct.pack(HFMT, root, story, story_prev, story_last, story_size, dup_prev, 0, 0, day, shingles,
  scaled(dup_c), scaled(dup_j), scaled(story_sim), story_via, dup_method, story_method,
  scaled(P.cmin), scaled(P.jmin), scaled(story_signal == 1 and P.etheta or P.theta), math.min(P.window, 65535),
  math.min(dup_cands, 255), math.min(story_cands, 255), scaled(P.jalone), story_signal, dup_via) .. mh
local parts = {}
for i = 1, MAXVEC do
  if vec[i] then parts[i] = struct.pack('<I4B', vec[i][1], vec[i][2]) else parts[i] = string.rep('\0', 5) end
end
rec = rec .. table.concat(parts)
full_size(rkey(num), REC_CHUNK * REC)
redis.call('SETRANGE', rkey(num), roff(num), rec)
return describe(num)
