-- The benchmarks' plenary-style peer: plenary.async's model in a few lines
-- of plain Lua. `wrap(f, argc)` makes an async function that yields `(f,
-- argc, ...)`; `run(fn, cb)` resumes the coroutine directly from the
-- callback it hands `f` at position `argc` (no run queue, so callbacks
-- that come back at once nest, as in plenary). Loaded with dofile by
-- plenary.lua and vim_async.lua.
local pack = function(...)
  return { n = select("#", ...), ... }
end
local unpack = table.unpack or unpack

local peer = {}

function peer.wrap(f, argc)
  return function(...)
    if select("#", ...) == argc then
      return f(...)
    end
    return coroutine.yield(f, argc, ...)
  end
end

function peer.run(fn, cb)
  local co = coroutine.create(fn)
  local step
  local function continue(ok, ...)
    if not ok then
      error(...)
    end
    if coroutine.status(co) == "dead" then
      if cb then
        cb(...)
      end
      return
    end
    local args = pack(...)
    local f, argc = args[1], args[2]
    local call = { unpack(args, 3, args.n) }
    call[argc] = step
    f(unpack(call, 1, argc))
  end
  step = function(...)
    return continue(coroutine.resume(co, ...))
  end
  step()
end

return peer
