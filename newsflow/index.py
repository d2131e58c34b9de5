"""The shared duplicate and story index, in Redis: one atomic Lua script per article.

Every worker on every host calls ``Index.place(article_id, fp, published)``.
The script looks the article up and inserts it in one step, so N copies
arriving at once on N workers yield exactly one original; placing the same
article id again (a redelivered message) returns the stored placement and
changes nothing. Everything lives in Redis (AOF), so it survives restarts.

Decisions
---------
1. **Exact copy**: the first 8 bytes of ``content_sha256`` map to the first
   article with that normalised text.
2. **Near copy**: LSH with one 32-bit MinHash row per band
   (``lsh_bands`` bands); each bucket keeps the first ``lsh_bucket_size``
   articles that hashed to it, so a query reads at most bands x bucket_size
   candidates whatever the index size. Buckets live in a fixed-size table
   (see Tables below). Each candidate is verified with the
   stored 128-byte b-bit MinHash: estimated Jaccard J and containment C
   (shared shingles / shingles of the shorter text). A copy is
   ``J >= dup_jaccard_alone`` or ``C >= dup_containment and J >= dup_jaccard``;
   the best candidate's original becomes ``duplicate_of`` (copies of copies
   point at the first-seen original).
3. **Story**: a duplicate shares its original's story. Otherwise the story
   terms (words and named entities) become a TF-IDF vector with document
   frequencies kept online in Redis (``story_vector_terms`` strongest,
   L2-normalised, 1 byte a weight); its ``story_posting_terms`` strongest terms
   are looked up in capped posting lists (the most recent
   ``story_posting_size`` articles per term) for candidates inside the time
   window; the best cosine similarity at or above ``story_threshold`` joins
   that article's story, else the article starts a new story whose id is its
   own article id.

Tables
------
LSH buckets, document frequencies and posting lists are three fixed-size
tables, each one Redis string of 64- or 128-byte lines: a term or bucket
value picks its line arithmetically and one GETRANGE reads it whole. So an
insert touches the same number of cache lines at 1,000 articles as at
1,000,000, and these tables never grow (their sizes are settings). A full
line recycles an entry: the LSH entry of the oldest article, the least
frequent term, the posting list whose newest article is oldest. (The sharded
hashes these replace cost a chain of dependent cache misses and a listpack
scan per lookup, growing with the index: ``ops/bench_index.py``, README.)

Memory: per article one fixed 316-byte record in 64-record strings, 16 bytes
of reverse id, an id-map and sha-map entry; plus the three tables (28 MB at
the default sizes, whatever the number of articles).
The audit of each decision (similarities, method, thresholds, the article
matched, candidates examined) is stored in the record and returned in
``Placement.audit``.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import struct
from typing import Any

import redis

from newsflow.fingerprint import FingerprintSettings
from newsflow.fingerprint.core import NUM_PERM
from newsflow.keys import Keys
from newsflow.model import Fingerprint, Placement

#: Shards of the id and sha maps (hash keys).
ID_SHARDS = 4096
#: Entries in a 64-byte LSH line: 10 x (16-bit tag = high half of the band value, 32-bit number).
LSH_WAYS = 10
#: Terms in a 64-byte document-frequency line: 8 x (32-bit term hash, 32-bit count).
DF_WAYS = 8
#: Posting lists in a 128-byte posting line: 3 x (term hash, length, POST_MAX numbers), 40 bytes each.
POST_WAYS, POST_MAX = 3, 8
#: Records per record string, reverse ids per id string.
REC_CHUNK = 64
NUM_CHUNK = 256
#: Story vector slots in a record (FingerprintSettings.story_vector_terms is capped at this).
MAX_VECTOR = 24
HEADER = 68
RECORD = HEADER + NUM_PERM + 5 * MAX_VECTOR  # 316 bytes

DUP_METHODS = {0: None, 1: "exact-sha256", 2: "minhash-lsh"}
STORY_METHODS = {0: "new", 1: "joined", 2: "duplicate"}

_LUA_COMMON = r"""
local base = ARGV[1]
local REC, HEADER, REC_CHUNK, NUM_CHUNK = %(RECORD)d, %(HEADER)d, %(REC_CHUNK)d, %(NUM_CHUNK)d
local ID_SHARDS = %(ID_SHARDS)d
local NPERM, MAXVEC = %(NUM_PERM)d, %(MAX_VECTOR)d
local VFMT = '<' .. string.rep('I4B', MAXVEC)

local function rkey(n) return base .. ':rec:' .. math.floor((n - 1) / REC_CHUNK) end
local function roff(n) return ((n - 1) %% REC_CHUNK) * REC end
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
  local o = ((n - 1) %% NUM_CHUNK) * 16
  return redis.call('GETRANGE', base .. ':num:' .. c, o, o + 15)
end
local function line(key, off, len)  -- a table line; zeros where the string is not yet written
  local s = redis.call('GETRANGE', key, off, off + len - 1)
  if #s < len then s = s .. string.rep('\0', len - #s) end
  return s
end
local function id_shard(aid) return (string.byte(aid, 1) * 256 + string.byte(aid, 2)) %% ID_SHARDS end
local function num_of(aid)
  local v = redis.call('HGET', base .. ':id:' .. id_shard(aid), aid)
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
local HFMT = '<I4I4I4I4I4I4I4I4I2I4I2I2I2I4BBI2I2I2I2BBI2I2I4'
local function header(n)
  local s = redis.call('GETRANGE', rkey(n), roff(n), roff(n) + HEADER - 1)
  local h = {struct.unpack(HFMT, s)}
  return {root = h[1], story = h[2], story_prev = h[3], story_last = h[4], story_size = h[5],
          dup_prev = h[6], dup_last = h[7], dup_count = h[8], day = h[9], shingles = h[10],
          dup_c = h[11], dup_j = h[12], story_sim = h[13], story_via = h[14], dup_method = h[15],
          story_method = h[16], cmin = h[17], jmin = h[18], theta = h[19], window = h[20],
          dup_cands = h[21], story_cands = h[22], jalone = h[23], reserved = h[24], dup_via = h[25]}
end
local function describe(n)
  local h = header(n)
  local dup = ''
  if h.root ~= n then dup = id_of(h.root) end
  return {id_of(n), dup, id_of(h.story), h.dup_method, h.dup_c, h.dup_j, id_of(h.dup_via), h.dup_cands,
          h.cmin, h.jmin, h.jalone, h.story_method, h.story_sim, id_of(h.story_via), h.story_cands,
          h.theta, h.window, h.day, h.shingles}
end
"""

_LUA_PLACE = _LUA_COMMON + r"""
-- ARGV: 1 base, 2 raw id (16 bytes), 3 sha8, 4 minhash (128 bytes), 5 shingles, 6 day,
--       7 params (JSON), 8 LSH rows (packed <I4), 9 story terms (JSON [[hash, weight], ...])
local aid, sha8, mh = ARGV[2], ARGV[3], ARGV[4]
local shingles, day = tonumber(ARGV[5]), tonumber(ARGV[6])
local P = cjson.decode(ARGV[7])

local existing = num_of(aid)
if existing then return describe(existing) end

local num = redis.call('INCR', base .. ':seq')
redis.call('HSET', base .. ':id:' .. id_shard(aid), aid, num)
redis.call('SETRANGE', base .. ':num:' .. math.floor((num - 1) / NUM_CHUNK), ((num - 1) %% NUM_CHUNK) * 16, aid)

local function scaled(x) return math.floor(math.max(0, math.min(1, x)) * 10000 + 0.5) end

-- 1. exact copy ------------------------------------------------------------
local root, dup_method, dup_c, dup_j, dup_via, dup_cands = num, 0, 0, 0, 0, 0
local sha_key = base .. ':sha:' .. ((string.byte(sha8, 1) * 256 + string.byte(sha8, 2)) %% ID_SHARDS)
local first = redis.call('HGET', sha_key, sha8)
if first then
  first = tonumber(first)
  root, dup_method, dup_c, dup_j, dup_via, dup_cands = get_u32(first, 0), 1, 1, 1, first, 1
else
  redis.call('HSET', sha_key, sha8, num)
end

-- 2. near copy: LSH candidates, verified with the b-bit MinHash ----------------
local lsh = ARGV[8]
local bands = math.floor(#lsh / 4)
local LT, LFMT = base .. ':lsh', '<' .. string.rep('I2I4', %(LSH_WAYS)d)
local bucket_slots = {}  -- {byte offset, tag}: where this article joins a bucket
local taken = {}  -- byte offsets already chosen by an earlier band (two bands can share a line)
local cands, order = {}, {}
for b = 0, bands - 1 do
  local v = struct.unpack('<I4', lsh, b * 4 + 1)
  local off = ((v + b * 2654435761) %% P.lsh_lines) * 64  -- bands spread over one table
  local tag = math.floor(v / 65536)
  local e = {struct.unpack(LFMT, line(LT, off, 6 * %(LSH_WAYS)d))}
  local mine, free, oldest, oldest_n = 0, nil, nil, nil
  for w = 0, %(LSH_WAYS)d - 1 do
    local t, c = e[2 * w + 1], e[2 * w + 2]
    if c ~= 0 and t == tag then  -- this bucket (or, 1 in 65,536, a look-alike: verified below anyway)
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
  if mine < P.bucket and w then
    taken[off + 6 * w] = true
    bucket_slots[#bucket_slots + 1] = {off + 6 * w, tag}
  end
end
if dup_method == 0 and shingles > 0 then
  local best_c, best_j, best = -1, -1, nil
  for _, c in ipairs(order) do
    local off = roff(c)
    local s = redis.call('GETRANGE', rkey(c), off + 34, off + 37)
    local csh = struct.unpack('<I4', s)
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
  dup_cands = #order
  if best then
    dup_c, dup_j, dup_via = best_c, best_j, best
    if best_j >= P.jalone or (best_c >= P.cmin and best_j >= P.jmin) then
      root, dup_method = get_u32(best, 0), 2
    end
  end
end
for _, f in ipairs(bucket_slots) do
  redis.call('SETRANGE', LT, f[1], struct.pack('<I2I4', f[2], num))
end

-- 3. story -----------------------------------------------------------------
local story, story_method, story_sim, story_via, story_cands = num, 0, 0, 0, 0
local vec = {}
if root ~= num then
  story, story_method = get_u32(root, 4), 2
else
  local terms = cjson.decode(ARGV[9])
  local n_docs = tonumber(redis.call('GET', base .. ':n') or '0')
  local weighted = {}
  local DT, DFMT = base .. ':df', '<' .. string.rep('I4I4', %(DF_WAYS)d)
  for _, t in ipairs(terms) do
    local h, w = t[1], t[2]
    local off = (h %% P.df_lines) * 64
    local e = {struct.unpack(DFMT, line(DT, off, 8 * %(DF_WAYS)d))}
    local slot, df, least, least_n = nil, 0, 0, nil
    for k = 0, %(DF_WAYS)d - 1 do
      local th, c = e[2 * k + 1], e[2 * k + 2]
      if c > 0 and th == h then slot, df = k, c; break end
      if not least_n or c < least_n then least, least_n = k, c end  -- empty (0) or least frequent
    end
    -- the frequency before this article; a new term takes an empty slot or the least frequent term's
    redis.call('SETRANGE', DT, off + 8 * (slot or least), struct.pack('<I4I4', h, df + 1))
    local idf = math.log((n_docs + 1) / (df + 1)) + 1
    weighted[#weighted + 1] = {h, w * idf, df, idf}
  end
  redis.call('INCR', base .. ':n')
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
  local PT, PLEN = base .. ':post', 8 + 4 * %(POST_MAX)d
  -- a term's posting line (byte offset, contents) and its slot there (nil if it has none)
  local function post_line(h)
    local off = (h %% P.post_lines) * 128
    local s = line(PT, off, %(POST_WAYS)d * PLEN)
    for k = 0, %(POST_WAYS)d - 1 do
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
  for _, t in ipairs(weighted) do
    if t[3] > 0 and looked < P.lookups then
      looked = looked + 1
      local packed = postings(t[1])
      lists[t[1]] = packed
      for j = 1, #packed - 3, 4 do
        local c = struct.unpack('<I4', packed, j)
        if not hits[c] then hits[c] = 0; corder[#corder + 1] = c end
        hits[c] = hits[c] + t[4]
      end
    end
  end
  local post_fields = {}
  for i = 1, math.min(P.postings, k) do
    local h = vec[i][1]
    -- a term no earlier article had has no postings; a looked-up term's list is in hand
    local packed = lists[h] or (weighted[i][3] == 0 and '') or postings(h)
    post_fields[#post_fields + 1] = {h, packed}
  end
  -- the `maxcand` candidates sharing the most term weight (ties: the most recent), best first
  local top = top_k(corder, hits, P.maxcand)
  local best, best_sim = nil, -1
  for i = 1, #top do
    local c = top[i]
    local off = roff(c)
    local s = redis.call('GETRANGE', rkey(c), off, off + REC - 1)
    local cday = struct.unpack('<I2', s, 33)
    if day == 0 or cday == 0 or math.abs(day - cday) <= P.window then
      story_cands = story_cands + 1
      local dot, cn = 0, 0
      local v = {struct.unpack(VFMT, s, HEADER + NPERM + 1)}  -- one call: term hash, weight, ...
      for j = 1, 2 * MAXVEC - 1, 2 do
        local q = v[j + 1]
        if q == 0 then break end
        cn = cn + q * q
        local m = mine[v[j]]
        if m then dot = dot + m * q end
      end
      if cn > 0 and fnorm > 0 then
        local sim = dot / (math.sqrt(cn) * fnorm)
        if sim > best_sim then best_sim, best = sim, c end
      end
    end
  end
  if best then
    story_sim, story_via = best_sim, best
    if best_sim >= P.theta then story, story_method = get_u32(best, 4), 1 end
  end
  for _, f in ipairs(post_fields) do
    local h = f[1]
    local packed = f[2] .. struct.pack('<I4', num)
    if #packed > 4 * P.postsize then packed = string.sub(packed, #packed - 4 * P.postsize + 1) end
    -- the term's slot, else an empty one, else the one whose newest article is oldest
    local off, s, k = post_line(h)
    if not k then
      local oldest
      for j = 0, %(POST_WAYS)d - 1 do
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
  redis.call('INCR', base .. ':stories')
else
  story_prev = get_u32(story, 12)
  set_u32(story, 12, num)
  set_u32(story, 16, get_u32(story, 16) + 1)
  story_size = 0
end
local dup_prev = 0
if root ~= num then
  dup_prev = get_u32(root, 24)
  set_u32(root, 24, num)
  set_u32(root, 28, get_u32(root, 28) + 1)
end
local rec = struct.pack(HFMT, root, story, story_prev, story_last, story_size, dup_prev, 0, 0, day, shingles,
  scaled(dup_c), scaled(dup_j), scaled(story_sim), story_via, dup_method, story_method,
  scaled(P.cmin), scaled(P.jmin), scaled(P.theta), math.min(P.window, 65535),
  math.min(dup_cands, 255), math.min(story_cands, 255), scaled(P.jalone), 0, dup_via) .. mh
local parts = {}
for i = 1, MAXVEC do
  if vec[i] then parts[i] = struct.pack('<I4B', vec[i][1], vec[i][2]) else parts[i] = string.rep('\0', 5) end
end
rec = rec .. table.concat(parts)
redis.call('SETRANGE', rkey(num), roff(num), rec)
return describe(num)
"""

_LUA_WALK = _LUA_COMMON + r"""
-- ARGV: 1 base, 2 raw id, 3 'story' or 'dups'. Returns raw ids, oldest first.
local n = num_of(ARGV[2])
if not n then return {} end
local out = {}
if ARGV[3] == 'story' then
  local h = header(n)
  if h.story ~= n then return {} end
  local m = h.story_last
  while m ~= 0 do out[#out + 1] = id_of(m); m = get_u32(m, 8) end
  out[#out + 1] = id_of(n)
else
  local h = header(n)
  if h.root ~= n then return {} end
  local m = h.dup_last
  while m ~= 0 do out[#out + 1] = id_of(m); m = get_u32(m, 20) end
end
local rev = {}
for i = #out, 1, -1 do rev[#rev + 1] = out[i] end
return rev
"""

_LUA_DESCRIBE = _LUA_COMMON + r"""
local n = num_of(ARGV[2])
if not n then return nil end
return describe(n)
"""

_CONSTS = dict(
    RECORD=RECORD, HEADER=HEADER, REC_CHUNK=REC_CHUNK, NUM_CHUNK=NUM_CHUNK, ID_SHARDS=ID_SHARDS,
    NUM_PERM=NUM_PERM, MAX_VECTOR=MAX_VECTOR, LSH_WAYS=LSH_WAYS, DF_WAYS=DF_WAYS,
    POST_WAYS=POST_WAYS, POST_MAX=POST_MAX,
)

# Allocates a table at its full size once (atomically: a line written meanwhile is kept), so it is
# not regrown step by step by the first inserts.
_LUA_ALLOCATE = """
if redis.call('STRLEN', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SETRANGE', KEYS[1], tonumber(ARGV[1]) - 1, '\\0')
end
return redis.call('STRLEN', KEYS[1])
"""


def term_hash(term: str) -> int:
    """32-bit hash of a story term (fixed forever: the index stores these)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=4).digest(), "little")


def day_number(published: str | None) -> int:
    """Days since 1970-01-01 of an ISO date (0 when unknown or unparseable)."""
    if not published:
        return 0
    try:
        d = _dt.date.fromisoformat(published[:10])
    except ValueError:
        return 0
    n = (d - _dt.date(1970, 1, 1)).days
    return n if 0 < n < 65536 else 0


def _hex(raw: bytes) -> str:
    return raw.hex() if raw else ""


class Index:
    """The shared index of every article seen: duplicates and stories. See the module docstring."""

    def __init__(self, client: redis.Redis, keys: Keys, settings: FingerprintSettings = FingerprintSettings()):
        self.client = client
        self.keys = keys
        self.settings = settings
        if not 1 <= settings.story_posting_size <= POST_MAX:
            raise ValueError(f"story_posting_size must be 1..{POST_MAX} (a posting slot holds {POST_MAX} articles), "
                             f"got {settings.story_posting_size}")
        for name in ("lsh_table_lines", "df_table_lines", "posting_table_lines"):
            if getattr(settings, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(settings, name)}")
        self._place = client.register_script(_LUA_PLACE % _CONSTS)
        self._walk = client.register_script(_LUA_WALK % _CONSTS)
        self._describe = client.register_script(_LUA_DESCRIBE % _CONSTS)
        self._allocate_table = client.register_script(_LUA_ALLOCATE)
        self._allocated = False

    def tables(self) -> dict[str, int]:
        """Key -> full size in bytes of each fixed-size table at these settings."""
        s, k = self.settings, self.keys
        return {k.fp_lsh(): 64 * s.lsh_table_lines, k.fp_df(): 64 * s.df_table_lines,
                k.fp_postings(): 128 * s.posting_table_lines}

    def _allocate(self) -> None:
        for key, size in self.tables().items():
            self._allocate_table(keys=[key], args=[size])
        self._allocated = True

    # -- writing ------------------------------------------------------------
    def place(self, article_id: str, fp: Fingerprint, published: str | None) -> Placement:
        """Find the article's original and story and insert it, atomically; idempotent per article id."""
        s = self.settings
        if not self._allocated:
            self._allocate()
        sig = fp.signature
        raw_id = bytes.fromhex(article_id)
        minhash = bytes.fromhex(sig.get("minhash", "")) or b"\xff" * NUM_PERM
        if len(minhash) != NUM_PERM:
            raise ValueError(f"fingerprint of {article_id} has a {len(minhash)}-byte MinHash, expected {NUM_PERM}")
        lsh = b"".join(struct.pack("<I", int(v, 16)) for v in sig.get("lsh", [])[: s.lsh_bands])
        terms = [[term_hash(t), float(w)] for t, w in (sig.get("story_terms") or {}).items()]
        params = {
            "cmin": s.dup_containment, "jmin": s.dup_jaccard, "jalone": s.dup_jaccard_alone,
            "bucket": max(1, s.lsh_bucket_size), "vector": min(s.story_vector_terms, MAX_VECTOR),
            "postings": s.story_posting_terms, "postsize": s.story_posting_size,
            "maxcand": s.story_max_candidates, "lookups": s.story_lookup_terms, "theta": s.story_threshold, "window": s.story_window_days,
            "lsh_lines": s.lsh_table_lines, "df_lines": s.df_table_lines, "post_lines": s.posting_table_lines,
        }
        reply = self._place(
            keys=[],
            args=[
                self.keys.fp_base(), raw_id, bytes.fromhex(fp.content_sha256)[:8], minhash,
                int(sig.get("shingles", 0)), day_number(published), json.dumps(params), lsh,
                json.dumps(terms) if terms else "[]",
            ],
        )
        return self._placement(reply)

    # -- reading ------------------------------------------------------------
    def placement_of(self, article_id: str) -> Placement | None:
        """The stored placement of an indexed article, or None."""
        reply = self._describe(keys=[], args=[self.keys.fp_base(), bytes.fromhex(article_id)])
        return self._placement(reply) if reply else None

    def duplicates_of(self, article_id: str) -> list[str]:
        """Ids of the articles recorded as copies of this original, first seen first."""
        raw = self._walk(keys=[], args=[self.keys.fp_base(), bytes.fromhex(article_id), "dups"])
        return [r.hex() for r in raw]

    def story_members(self, story_id: str) -> list[str]:
        """Ids of the articles in a story (its first article first), in arrival order."""
        raw = self._walk(keys=[], args=[self.keys.fp_base(), bytes.fromhex(story_id), "story"])
        return [r.hex() for r in raw]

    def story_count(self) -> int:
        """Number of stories in the index."""
        return int(self.client.get(self.keys.fp_stories()) or 0)

    def size(self) -> int:
        """Number of articles in the index."""
        return int(self.client.get(self.keys.fp_seq()) or 0)

    # -- internals ----------------------------------------------------------
    @staticmethod
    def _placement(reply: list[Any]) -> Placement:
        (_, dup, story, dup_method, dup_c, dup_j, dup_via, dup_cands, cmin, jmin, jalone, story_method,
         story_sim, story_via, story_cands, theta, window, day, shingles) = reply
        audit = {
            "duplicate": {
                "method": DUP_METHODS.get(int(dup_method)),
                "similarity": dup_c / 10000,  # estimated containment of the best candidate
                "jaccard": dup_j / 10000,
                "threshold": {"containment": cmin / 10000, "jaccard": jmin / 10000, "jaccard_alone": jalone / 10000},
                "rule": "exact content_sha256, or jaccard >= jaccard_alone, or containment >= containment and jaccard >= jaccard",
                "best_match": _hex(dup_via) or None,
                "candidates": int(dup_cands),
                "signature": "b-bit MinHash (128 x 8 bit) + LSH",
                "shingles": int(shingles),
            },
            "story": {
                "method": STORY_METHODS.get(int(story_method)),
                "similarity": story_sim / 10000,  # TF-IDF cosine of the best candidate (0 if none)
                "threshold": theta / 10000,
                "best_match": _hex(story_via) or None,
                "candidates": int(story_cands),
                "window_days": int(window),
            },
        }
        return Placement(duplicate_of=_hex(dup) or None, story_id=_hex(story), audit=audit)
