-- busted, run by this Neovim: `nvim -l tests/busted.lua [busted's options]`
-- (scripts/test-lua.sh runs the suite so, on Linux and in Neovim's Windows
-- build under wine).
--
-- busted's Lua modules are found in $BUSTED_LUA_DIR, a folder laid out as
-- Debian's `/usr` (share/lua/5.1, lib/<triplet>/lua/5.1; scripts/test-lua.sh
-- unpacks Debian's lua-busted there when it is not installed), else in
-- `/usr` itself. busted needs three C modules (lfs, system.core,
-- term.core); where one cannot be loaded (Neovim for Windows cannot load
-- Linux's), a stand-in written here on vim.uv takes its place.
local uv = vim.uv
local prefix = vim.env.BUSTED_LUA_DIR or "/usr"
if jit.os == "Windows" and prefix:sub(1, 1) == "/" then
  prefix = "Z:" .. prefix -- wine's drive for the Unix root
end
package.path = table.concat({
  prefix .. "/share/lua/5.1/?.lua",
  prefix .. "/share/lua/5.1/?/init.lua",
  package.path,
}, ";")
for _, dir in ipairs(vim.fn.glob(prefix .. "/lib/*/lua/5.1", false, true)) do
  package.cpath = dir .. "/?.so;" .. package.cpath
end

local function stand_in(name, make)
  local ok = pcall(require, name)
  if not ok then
    package.loaded[name] = nil
    package.preload[name] = make
  end
end

-- lfs: what penlight's path and dir modules and busted's file finder use.
stand_in("lfs", function()
  local kinds = { file = "file", directory = "directory", link = "link" }
  local function attributes(stat, path, want)
    local st, err = stat(path)
    if st == nil then
      return nil, err
    end
    local t = {
      mode = kinds[st.type] or st.type,
      size = st.size,
      modification = st.mtime.sec,
      access = st.atime.sec,
      change = st.ctime.sec,
      permissions = ("%o"):format(st.mode % 512),
      dev = st.dev,
      ino = st.ino,
      nlink = st.nlink,
      uid = st.uid,
      gid = st.gid,
    }
    if type(want) == "string" then
      return t[want]
    end
    return t
  end
  local lfs = {}
  function lfs.attributes(path, want)
    return attributes(uv.fs_stat, path, want)
  end
  function lfs.symlinkattributes(path, want)
    return attributes(uv.fs_lstat, path, want)
  end
  function lfs.currentdir()
    return uv.cwd()
  end
  function lfs.chdir(path)
    local ok, err = uv.chdir(path)
    return ok ~= nil or nil, err
  end
  function lfs.mkdir(path)
    local ok, err = uv.fs_mkdir(path, 493) -- 0755
    return ok ~= nil or nil, err
  end
  function lfs.rmdir(path)
    local ok, err = uv.fs_rmdir(path)
    return ok ~= nil or nil, err
  end
  function lfs.dir(path)
    local handle, err = uv.fs_scandir(path)
    if handle == nil then
      error(("cannot open %s: %s"):format(path, err), 2)
    end
    local pending = { ".", ".." }
    return function()
      if #pending > 0 then
        return table.remove(pending, 1)
      end
      return (uv.fs_scandir_next(handle))
    end
  end
  return lfs
end)

-- system.core: busted's clock.
stand_in("system.core", function()
  return {
    gettime = function()
      local sec, usec = uv.gettimeofday()
      return sec + usec / 1e6
    end,
    monotime = function()
      return uv.hrtime() / 1e9
    end,
    sleep = function(seconds)
      uv.sleep(math.floor(seconds * 1000))
    end,
  }
end)

-- term.core: busted asks whether stdout is a terminal to pick its output.
stand_in("term.core", function()
  return {
    isatty = function()
      return false
    end,
  }
end)

-- Called from a chunk with no file name, busted exits with os.exit (from a
-- file, it raises a nil error to end a `lua` interpreter: Neovim would
-- print "E5113: Error while calling lua chunk: [NULL]").
assert(loadstring('require("busted.runner")({ standalone = false })', "=busted"))()
