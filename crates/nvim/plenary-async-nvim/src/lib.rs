//! Run futures on Neovim's own event loop from a Rust plugin, and await
//! between Lua and Rust.
//!
//! A Rust plugin (a `cdylib` that Neovim's `require` loads, written with
//! [mlua](https://docs.rs/mlua)'s `#[mlua::lua_module]` or
//! [nvim-oxi](https://docs.rs/nvim-oxi)'s `#[nvim_oxi::plugin]`) calls
//! [`attach`] once when it is loaded. From then on `plenary_async`'s whole
//! toolkit runs on Neovim's loop, in Neovim's thread, with Neovim's libuv
//! (no second copy is linked): `a::spawn`, `a::run`, `a::uv::*` (files,
//! processes, sockets, timers, watchers), `a::control` (channels, Condvar,
//! Semaphore), `a::util` (sleep, join, race …).
//!
//! ```no_run
//! use mlua::prelude::*;
//! use plenary_async as a;
//! use plenary_async_nvim as nvim;
//!
//! /// `require("hello").greet(name)`: awaitable in a plenary_async task, or
//! /// `greet(name, function(err, text) end)` anywhere.
//! async fn greet(name: String) -> Result<String, a::Error> {
//!     a::util::sleep(100).await; // Neovim keeps running meanwhile
//!     Ok(format!("hello, {name}"))
//! }
//!
//! #[mlua::lua_module]
//! fn hello(lua: &Lua) -> LuaResult<LuaTable> {
//!     nvim::attach(lua)?;
//!     let exports = lua.create_table()?;
//!     nvim::export(&exports, "greet", greet)?;
//!     Ok(exports)
//! }
//! ```
//!
//! **Where task code runs.** Tasks are polled only from `vim.schedule`
//! callbacks (see [`attach`]), whatever woke them: after any `.await`, task
//! code may call Neovim's API (through mlua, nvim-oxi or the C API).
//! [`schedule`] is the explicit "let Neovim run, then go on" step.
//!
//! **Lua ⇄ Rust.** [`function`] / [`export`] make a Rust `async fn` a Lua
//! function, awaitable in `plenary_async` tasks and callable with a
//! callback elsewhere (so plenary's `a.wrap`, `vim.async`, nvim-nio and
//! coop.nvim wrap it). [`call`] awaits a callback-style Lua function from
//! Rust (`vim.ui.input`, `vim.lsp.buf_request`, any `fn(args, cb)`), and
//! [`lua_task`] a `plenary_async` Lua task. Cancellation crosses both ways:
//! a canceled Lua task drops the Rust future it awaits, and a dropped Rust
//! future leaves no Lua callback waiting.
//!
//! **Errors** of tasks spawned with [`spawn`], and panics of detached
//! tasks, go to `vim.notify` with the place the task was spawned; a panic
//! never crosses into Neovim's C code.
//!
//! **Two plugins.** Each plugin links its own copy of this crate and of the
//! runtime: each attaches its own runtime (its own thread-locals, handles
//! and ticks) to the same loop, and they run side by side, with the
//! `plenary_async` Lua module too.
//!
//! **tokio.** With the `tokio` feature, [`tokio::spawn`] runs a future
//! on one shared background tokio runtime and awaits it on Neovim's loop,
//! for the crates that need tokio's reactor.
//!
//! The examples in this crate's documentation compile but do not run as
//! doctests: they need Neovim's process. The crate's tests load real
//! plugins into headless Neovim (`tests/lua/rust_plugins_spec.lua`).

// Every unsafe block states its invariant in a `// SAFETY:` comment.
#![warn(clippy::undocumented_unsafe_blocks)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]
// docs.rs (`--cfg docsrs`, nightly): items of the `tokio` feature say so.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod callback;
mod error;
mod export;
mod host;
#[cfg(feature = "tokio")]
pub mod tokio;

pub use callback::{call, lua_task, schedule, Call};
pub use export::{export, function, AsyncFunction, OpHandle};

/// The runtime this crate runs on Neovim's loop, as this crate uses it
/// (`host-libuv`): `use plenary_async_nvim::plenary_async as a;` needs no
/// dependency of its own that could differ in version or features.
pub use plenary_async;

pub use host::{is_attached, lua, CHAIN_LIMIT};
/// The mlua this crate's API takes and returns (0.10 to 0.12, as the
/// plugin's Cargo.lock has it; `luajit` and `module`): a plugin that names
/// its types through this path (`nvim::mlua::
/// Lua`) cannot end up with a second, incompatible copy. (mlua's
/// `#[mlua::lua_module]` macro still wants `mlua` as a direct dependency.)
pub use mlua;

/// Attaches this thread's runtime to Neovim's event loop. Call it once when
/// the plugin is loaded (calling it again does nothing), before anything
/// else of `plenary_async`: from then on `a::spawn`, `a::run`, `a::uv::*`,
/// `a::control` and `a::util` run on Neovim's loop, and every task is polled
/// from a `vim.schedule` callback, where Neovim's API may be called.
///
/// It links no libuv: the loop and the `uv_*` functions are Neovim's. Errors
/// nobody can receive (a detached task's panic) go to `vim.notify` at the
/// ERROR level, with the place the task was spawned. Before Neovim exits
/// (`VimLeavePre`), the runtime is detached: pending tasks are dropped and
/// their handles closed, and the [tokio bridge](crate::tokio), if used, is
/// shut down.
///
/// A panic in a task is caught at the task's boundary and reported like
/// an error (or given to whoever awaits the task); Rust's panic hook still
/// prints it on standard error first, as in any Rust program (a plugin
/// that wants Neovim's screen kept clean of it sets its own hook).
///
/// # Errors
/// If this Lua state is not Neovim's (luv has no loop).
///
/// ```no_run
/// use mlua::prelude::*;
/// use plenary_async as a;
/// use plenary_async_nvim as nvim;
///
/// // #[mlua::lua_module] (a cdylib loaded by Neovim's `require`)
/// fn my_plugin(lua: &Lua) -> LuaResult<LuaTable> {
///     nvim::attach(lua)?;
///     a::spawn(async {
///         a::util::sleep(10).await;
///         // Neovim's API is safe here.
///     })
///     .detach();
///     lua.create_table()
/// }
/// ```
pub fn attach(lua: &mlua::Lua) -> mlua::Result<()> {
    if host::attach(lua)? {
        #[cfg(feature = "tokio")]
        host::on_detach(tokio::shut_down);
    }
    Ok(())
}

use plenary_async as a;
use std::fmt::Display;
use std::future::Future;
use std::panic::Location;

/// Spawns a task on Neovim's loop whose error, if it returns one, goes to
/// `vim.notify` (ERROR level) with the place it was spawned; a panic does
/// too, unless the returned handle is kept and awaited. Dropping the
/// handle detaches the task; [`a::Task::cancel`] drops it.
///
/// # Panics
/// If [`attach`] has not run (a runtime of its own would start).
///
/// ```no_run
/// use plenary_async as a;
/// use plenary_async_nvim as nvim;
///
/// nvim::spawn(async {
///     let text = a::uv::fs::read_to_string("/etc/hostname").await?;
///     let lua = nvim::lua();
///     let print: mlua::Function = lua.globals().get("print")?;
///     print.call::<()>(text)?;
///     Ok::<_, Box<dyn std::error::Error>>(())
/// });
/// ```
#[track_caller]
pub fn spawn<F, E>(future: F) -> a::Task<()>
where
    F: Future<Output = Result<(), E>> + 'static,
    E: Display + 'static,
{
    let location = Location::caller();
    assert!(
        host::is_attached(),
        "plenary_async_nvim::spawn at {location}: call plenary_async_nvim::attach(lua) first"
    );
    a::Runtime::current().spawn(async move {
        if let Err(e) = future.await {
            host::report_error(&format!(
                "the task spawned at {location} failed: {}",
                error::message(&e)
            ));
        }
    })
}
