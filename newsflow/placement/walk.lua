-- ARG: 1 raw id, 2 'story' or 'dups'. Returns the raw ids of the story's members or the
-- original's copies still held (not past retention), oldest first.
local n = num_of(ARG[1])
if not n then return {} end
local out = {}
if ARG[2] == 'story' then
  local h = header(n)
  if h.story ~= n then return {} end
  local m = h.story_last
  while held(m) do out[#out + 1] = id_of(m); m = get_u32(m, OFF.story_prev) end
  if held(n) then out[#out + 1] = id_of(n) end
else
  local h = header(n)
  if h.root ~= n then return {} end
  local m = h.dup_last
  while held(m) do out[#out + 1] = id_of(m); m = get_u32(m, OFF.dup_prev) end
end
local rev = {}
for i = #out, 1, -1 do rev[#rev + 1] = out[i] end
return rev
