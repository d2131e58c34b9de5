-- ARG: 1 raw id. Returns describe() of an indexed article, or nil.
local n = num_of(ARG[1])
if not n then return nil end
return describe(n)
