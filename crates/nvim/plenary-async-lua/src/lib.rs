//! The native core of `require("plenary_async")`: the plenary-async runtime
//! on Neovim's own loop, for the Lua API in the repository's
//! `lua/plenary_async/` (which also runs without it, on its Lua core).
//!
//! Lua tasks are scheduled in Lua (`lua/plenary_async/task.lua`), with
//! plenary's order: a wake from task code runs the woken task at once. This
//! crate provides the core (`backend.lua` lists its fields): the runtime's
//! libuv operations (`a.uv`'s files, sockets, pipes, DNS), which a task
//! awaits through [`park`], and the runtime's attachment to Neovim's loop.
//! `nvim -l build.lua` builds it into `lua/plenary_async/native.so`
//! (`native.dll` on Windows).
//!
//! The runtime is attached to Neovim's own libuv loop by
//! `plenary_async_nvim::attach`, as any Rust plugin's is (no libuv of its
//! own); its tick runs from `vim.schedule`, and tasks resume from Lua code
//! that runs there too, so task code always runs where calling the Neovim
//! API is safe.

// Every unsafe block states its invariant in a `// SAFETY:` comment.
#![warn(clippy::undocumented_unsafe_blocks)]
#![deny(unsafe_op_in_unsafe_fn)]

mod args;
mod handle;
mod park;
mod uv;

use mlua::prelude::*;

/// The Lua files' version (`lua/plenary_async/version.lua`), compiled in:
/// `backend.lua` uses this module only if the files it runs with say the
/// same.
const VERSION_LUA: &str = include_str!("../../../../lua/plenary_async/version.lua");

fn version(lua: &Lua) -> LuaResult<String> {
    lua.load(VERSION_LUA)
        .set_name("@plenary_async/version.lua")
        .eval()
}

/// `luaopen_plenary_async_native_version`: the version alone, read before
/// the module starts (nothing is attached to Neovim's loop).
#[mlua::lua_module]
fn plenary_async_native_version(lua: &Lua) -> LuaResult<String> {
    version(lua)
}

/// `luaopen_plenary_async_native`: attaches the runtime to Neovim's loop
/// and returns the core (the fields `backend.lua` lists).
#[mlua::lua_module]
fn plenary_async_native(lua: &Lua) -> LuaResult<LuaTable> {
    plenary_async_nvim::attach(lua)?;
    let core = lua.create_table()?;
    core.set("version", version(lua)?)?;
    park::register(lua, &core)?;
    uv::register(lua, &core)?;
    handle::register(lua, &core)?;
    Ok(core)
}
