//! plenary.async's Lua API, backed by plenary-async, as a Lua module for
//! Neovim: `require("plenary_async")`.
//!
//! Lua tasks are scheduled in Lua (`lua/plenary_async/task.lua`), with
//! plenary's order: a wake from task code runs the woken task at once. The
//! Rust side (this crate) provides the core, `_core`: the runtime's libuv
//! operations (`a.uv`'s files, sockets, pipes, DNS), which a task awaits
//! through [`park`], and the runtime's attachment to Neovim's loop.
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
mod tree;
mod uv;

use mlua::prelude::*;

/// The Lua files of the module, compiled in, in the order `init.lua` loads
/// them (each gets the core and a table they share).
const SOURCES: [(&str, &str); 7] = [
    ("task", include_str!("../lua/plenary_async/task.lua")),
    ("timer", include_str!("../lua/plenary_async/timer.lua")),
    ("structs", include_str!("../lua/plenary_async/structs.lua")),
    ("control", include_str!("../lua/plenary_async/control.lua")),
    ("plenary", include_str!("../lua/plenary_async/plenary.lua")),
    (
        "vim_async",
        include_str!("../lua/plenary_async/vim_async.lua"),
    ),
    ("init", include_str!("../lua/plenary_async/init.lua")),
];

#[mlua::lua_module]
fn plenary_async(lua: &Lua) -> LuaResult<LuaValue> {
    plenary_async_nvim::attach(lua)?;
    let core = lua.create_table()?;
    park::register(lua, &core)?;
    uv::register(lua, &core)?;
    handle::register(lua, &core)?;
    tree::register_core(lua, &core)?;
    let modules = lua.create_table()?;
    let mut init = None;
    for (name, source) in SOURCES {
        let chunk = lua
            .load(source)
            .set_name(format!("@plenary_async/{name}.lua"))
            .into_function()?;
        if name == "init" {
            init = Some(chunk);
        } else {
            modules.set(name, chunk)?;
        }
    }
    core.set("modules", modules)?;
    init.expect("init.lua is in SOURCES").call(core)
}
