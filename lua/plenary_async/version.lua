-- The version of the Lua files. The native module is built with this file
-- compiled in (crates/nvim/plenary-async-lua) and is used only when it says
-- the same: a module built from other Lua files (a plugin updated without
-- its build step) is left alone and the Lua core serves. Change it with
-- every change to the core's interface (backend.lua lists it).
return "0.1.0"
