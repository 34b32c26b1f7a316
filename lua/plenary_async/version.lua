-- The version of the Lua files (`require("plenary_async").VERSION`), as
-- the rockspec and :checkhealth show it.
return "0.2.0"
