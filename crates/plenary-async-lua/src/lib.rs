//! plenary.async's Lua API, backed by plenary-async, as a Lua module for
//! Neovim: `require("plenary_async")`.
//!
//! The Rust side (this crate) provides a small core, `_core`: running a Lua
//! coroutine as a task of the plenary-async runtime, awaiting a callback,
//! sleeping, yielding, and the channels, Condvar and Semaphore of
//! `plenary_async::control`. `lua/plenary_async/init.lua` (compiled in)
//! builds plenary.async's API on top of it.
//!
//! The runtime is attached to Neovim's own libuv loop (`luv_loop`), with no
//! libuv of its own; tasks run when the runtime asks Neovim, through
//! `vim.schedule`, to tick it, so task code always runs where calling the
//! Neovim API is safe.

mod control;
mod handle;
mod park;
mod runtime;
mod stored;
mod task;
mod uv;

use mlua::prelude::*;

#[mlua::lua_module]
fn plenary_async(lua: &Lua) -> LuaResult<LuaValue> {
    runtime::attach(lua)?;
    let core = lua.create_table()?;
    task::register(lua, &core)?;
    control::register(lua, &core)?;
    uv::register(lua, &core)?;
    handle::register(lua, &core)?;
    let init: LuaFunction = lua
        .load(include_str!("../lua/plenary_async/init.lua"))
        .set_name("@plenary_async/init.lua")
        .into_function()?;
    init.call(core)
}
