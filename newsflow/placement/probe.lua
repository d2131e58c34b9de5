-- Which indexed article a text copies, without placing it (read-only): the copy the place script
-- would find now. ARG: 1 sha8, 2 minhash (128 bytes), 3 shingles, 4 params (JSON), 5 LSH rows.
-- Returns {raw id of the original, estimated Jaccard x 10,000} (10,000 for an exact copy), or nil.
local sha8, mh, shingles, P = ARG[1], ARG[2], tonumber(ARG[3]), cjson.decode(ARG[4])
local first = tonumber(redis.call('HGET', P_SHA .. shard(sha8), sha8) or '0')
if held(first) then return {id_of(get_u32(first, OFF.root)), 10000} end
if shingles == 0 then return nil end
local order = lsh_scan(ARG[5], P.lsh_lines, P.bucket)
local c, j, best = best_copy(order, mh, shingles)
if best and is_copy(c, j, P) then return {id_of(get_u32(best, OFF.root)), math.floor(j * 10000 + 0.5)} end
return nil
