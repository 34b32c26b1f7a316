//! The runtime on Neovim's loop: attached once, ticked from `vim.schedule`,
//! detached before Neovim exits.
//!
//! [`attach`](crate::attach) first checks that Neovim exports libuv's functions (the
//! runtime looks them up by name: Neovim 0.11 for Windows exports none,
//! and `attach` then fails with a message that says so), finds Neovim's
//! libuv loop through luv (`luv_loop`, a symbol Neovim exports, looked up
//! the same way), and attaches this thread's runtime to it with
//! [`Runtime::attach_with`]: when a task becomes ready, the runtime
//! asks for a *tick*, and this module has Neovim call it from a
//! `vim.schedule` callback. Tasks are thus polled only where Neovim's API
//! may be called, whatever woke them (a libuv callback, another thread).
//!
//! **Chains.** Neovim runs `vim.schedule` callbacks in one burst, until
//! none is left: a tick that asks for the next one through `vim.schedule`
//! (work left over, or a Lua task that awaits one plugin call after another
//! and is resumed from the tick) runs in the same burst, and the loop does
//! not turn meanwhile (no timers fire, no I/O is polled). So ticks asked
//! for from inside a tick form a *chain*, and once a chain has run for
//! [`CHAIN_LIMIT`], its next tick goes through a 0 ms timer
//! (`vim.defer_fn`) instead: the loop turns, then a new chain starts. A
//! tick asked for from anywhere else starts a chain.
//!
//! Lua callbacks that a finished operation must call (an exported
//! function's callback) are not called inside the tick but right after it
//! ([`deliver`]): the Lua code they run may run Neovim's loop (`vim.wait`),
//! and the runtime's tick does not re-enter itself.
//!
//! Each plugin that links this crate has its own copy of everything here
//! (its own thread-locals, its own runtime): two plugins each attach their
//! runtime to the same loop and run side by side.
//!
//! This is the bottom layer of the crate: it knows nothing of the layers
//! above (exported functions, the tokio bridge), which release what they
//! keep through [`on_detach`].

use mlua::prelude::*;
use plenary_async::Runtime;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::ffi::c_void;
use std::time::{Duration, Instant};

/// luv's accessor for the loop it runs on (Neovim's main loop). Neovim
/// exports it with the `uv_*` symbols; this crate links neither, and
/// looks it up at `attach`.
type LuvLoop = unsafe extern "C" fn(state: *mut mlua::ffi::lua_State) -> *mut c_void;

/// What the attached runtime keeps of Neovim: dropped (with every Lua value
/// it holds) before Neovim closes its Lua state.
struct Host {
    runtime: Runtime,
    lua: Lua,
    /// `function(msg) vim.schedule(function() vim.notify(msg, ERROR) end) end`.
    report: LuaFunction,
    /// Which attachment of this thread this is (the first is 1).
    generation: u64,
    /// Keeps the [`CloseGuard`] of this attachment in the registry.
    _guard: LuaRegistryKey,
}

/// How long a chain of ticks runs before the loop must turn (a 0 ms timer):
/// the worst delay it adds to Neovim's timers and input.
///
/// ```
/// assert_eq!(plenary_async_nvim::CHAIN_LIMIT.as_millis(), 1);
/// ```
pub const CHAIN_LIMIT: Duration = Duration::from_millis(1);

thread_local! {
    static HOST: RefCell<Option<Host>> = const { RefCell::new(None) };
    /// How many times this thread attached.
    static GENERATION: Cell<u64> = const { Cell::new(0) };
    /// A tick (polling tasks) is running.
    static TICKING: Cell<bool> = const { Cell::new(false) };
    /// A tick or the delivery after it is running: a tick asked for now
    /// continues the chain.
    static BUSY: Cell<bool> = const { Cell::new(false) };
    /// The next tick was asked for from inside the chain that started at
    /// `CHAIN_START`.
    static CHAINED: Cell<bool> = const { Cell::new(false) };
    static CHAIN_START: Cell<Option<Instant>> = const { Cell::new(None) };
    /// Lua callbacks to call when the running tick ends.
    static OUTBOX: RefCell<VecDeque<Box<dyn FnOnce()>>> = const { RefCell::new(VecDeque::new()) };
    /// What the layers above release when Neovim exits (`on_detach`).
    static ON_DETACH: RefCell<Vec<Box<dyn FnOnce()>>> = const { RefCell::new(Vec::new()) };
}

/// Reports `msg` through `vim.notify` at the ERROR level, from a
/// `vim.schedule` callback (so that it works from a fast event too), and
/// runs the plugin's `detach` before Neovim exits.
const HOST_LUA: &str = r#"
local detach = ...
local report = function(msg)
  vim.schedule(function()
    vim.notify(msg, vim.log.levels.ERROR)
  end)
end
vim.api.nvim_create_autocmd("VimLeavePre", {
  callback = function()
    detach()
  end,
  desc = "plenary_async_nvim: drop a plugin's pending tasks before Neovim exits",
})
return report
"#;

/// Attaches this thread's runtime to Neovim's event loop (the public
/// [`attach`](crate::attach) says what that means); returns whether it did
/// now (false: it was attached already).
pub(crate) fn attach(lua: &Lua) -> LuaResult<bool> {
    if is_attached() {
        return Ok(false);
    }
    plenary_async::runtime::check_libuv()
        .map_err(|e| LuaError::runtime(format!("plenary_async_nvim.attach: {e}")))?;
    let luv_loop = plenary_async::__private::host_symbol(c"luv_loop").ok_or_else(|| {
        LuaError::runtime("plenary_async_nvim.attach: this process exports no `luv_loop` (luv); a plugin runs inside Neovim")
    })?;
    // SAFETY: Neovim's exported `luv_loop`, of luv's signature.
    let luv_loop = unsafe { std::mem::transmute::<*mut c_void, LuvLoop>(luv_loop.as_ptr()) };
    let mut loop_ptr: *mut c_void = std::ptr::null_mut();
    // SAFETY: luv_loop reads luv's registry entry of this Lua state; it is
    // called on the state's own thread, inside a C call of that state.
    unsafe { lua.exec_raw::<()>((), |state| loop_ptr = luv_loop(state)) }?;
    if loop_ptr.is_null() {
        return Err(LuaError::runtime(
            "plenary_async_nvim.attach: luv has no loop here; a plugin runs inside Neovim",
        ));
    }
    let vim: LuaTable = lua.globals().get("vim")?;
    let schedule: LuaFunction = vim.get("schedule")?;
    let defer_fn: LuaFunction = vim.get("defer_fn")?;
    let tick_fn = lua.create_function(|_, ()| {
        tick();
        Ok(())
    })?;
    // Called by the runtime when work is ready (at most once until the
    // next tick): `vim.schedule`, or a 0 ms timer when a chain of ticks
    // has run long enough (see the module's doc).
    let notify = move || {
        let result = if loop_must_turn() {
            defer_fn.call::<LuaValue>((tick_fn.clone(), 0)).map(|_| ())
        } else {
            schedule.call::<()>(tick_fn.clone())
        };
        if let Err(e) = result {
            eprintln!("plenary_async_nvim: scheduling a tick failed: {e}");
        }
    };
    let detach_fn = lua.create_function(|_, ()| {
        detach();
        Ok(())
    })?;
    let report: LuaFunction = lua
        .load(HOST_LUA)
        .set_name("@plenary_async_nvim/host.lua")
        .call(detach_fn)?;
    // SAFETY: Neovim's loop is live for the whole session and runs on this
    // thread; the runtime is detached before Neovim closes it (VimLeavePre,
    // above, or the close guard below when the Lua state closes first).
    let runtime = unsafe { Runtime::attach_with(loop_ptr, notify) };
    runtime.set_error_handler(|e| report_error(&e.to_string()));
    let generation = GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    });
    // Neovim can close its Lua state without VimLeavePre: `os.exit(code,
    // true)` closes it and then exits, and the thread-locals here would be
    // dropped after it, their Lua values pointing into a freed state
    // (busted ends so). A userdata kept in the registry is finalized while
    // the state closes, and detaches then, while the state is still whole.
    let guard = lua.create_registry_value(lua.create_userdata(CloseGuard { generation })?)?;
    HOST.with(|h| {
        *h.borrow_mut() = Some(Host {
            runtime,
            lua: lua.clone(),
            report,
            generation,
            _guard: guard,
        })
    });
    Ok(true)
}

/// Detaches the attachment it was made for when Lua finalizes it: at the
/// latest when the state closes. (Dropped with the [`Host`], it is
/// finalized at some later collection, when a newer attachment may be
/// running: the generation tells them apart.)
struct CloseGuard {
    generation: u64,
}

impl LuaUserData for CloseGuard {}

impl Drop for CloseGuard {
    fn drop(&mut self) {
        let current = HOST.with(|h| {
            h.try_borrow()
                .ok()
                .and_then(|h| h.as_ref().map(|h| h.generation))
        });
        if current == Some(self.generation) {
            detach();
        }
    }
}

/// Whether [`attach`](crate::attach) ran (and Neovim has not begun to exit).
///
/// ```no_run
/// # fn f(lua: &mlua::Lua) -> mlua::Result<()> {
/// plenary_async_nvim::attach(lua)?;
/// assert!(plenary_async_nvim::is_attached());
/// # Ok(()) }
/// ```
pub fn is_attached() -> bool {
    HOST.with(|h| h.borrow().is_some())
}

/// The Lua state of the attached plugin, for task code that calls Lua or
/// Neovim's API (mlua's `Lua` is a cheap handle).
///
/// # Panics
/// If [`attach`](crate::attach) has not run.
///
/// ```no_run
/// use plenary_async as a;
/// use plenary_async_nvim as nvim;
///
/// a::spawn(async {
///     a::util::sleep(10).await;
///     let lua = nvim::lua();
///     let api: mlua::Table = lua.globals().get::<mlua::Table>("vim")?.get("api")?;
///     api.get::<mlua::Function>("nvim_command")?.call::<()>("echo 'hello'")
/// })
/// .detach();
/// ```
pub fn lua() -> Lua {
    try_lua().unwrap_or_else(|e| {
        panic!(
            "plenary_async_nvim::lua(): {}",
            crate::error::lua_message(&e)
        )
    })
}

/// [`lua`], or an error when the runtime is not attached (before
/// [`attach`](crate::attach), or once Neovim began to exit).
pub(crate) fn try_lua() -> LuaResult<Lua> {
    HOST.with(|h| match h.borrow().as_ref() {
        Some(host) => Ok(host.lua.clone()),
        None => Err(LuaError::runtime(
            "plenary_async_nvim: not attached (call plenary_async_nvim::attach(lua) first; or Neovim is exiting)",
        )),
    })
}

/// Sends `msg` to `vim.notify` (ERROR level) from a `vim.schedule` callback;
/// to standard error when the runtime is not attached.
pub(crate) fn report_error(msg: &str) {
    let report = HOST.with(|h| h.borrow().as_ref().map(|host| host.report.clone()));
    let msg = format!("plenary_async_nvim: {msg}");
    match report {
        Some(report) => {
            if let Err(e) = report.call::<()>(msg.as_str()) {
                eprintln!("{msg} (and vim.notify failed: {e})");
            }
        }
        None => eprintln!("{msg}"),
    }
}

/// Whether the tick being asked for must wait for the loop to turn: it is
/// asked for from inside a chain that has run for `CHAIN_LIMIT`.
fn loop_must_turn() -> bool {
    if !BUSY.with(Cell::get) {
        return false; // a new chain
    }
    let start = CHAIN_START.with(Cell::get);
    if start.is_some_and(|start| start.elapsed() >= CHAIN_LIMIT) {
        return true; // the next tick starts a new chain
    }
    CHAINED.with(|c| c.set(true));
    false
}

/// Clears a flag when dropped (the end of a tick or of a delivery, also by
/// a panic).
struct Clear(&'static std::thread::LocalKey<Cell<bool>>);

impl Drop for Clear {
    fn drop(&mut self) {
        self.0.with(|flag| flag.set(false));
    }
}

/// Polls ready tasks (unless a tick is running already), then calls the Lua
/// callbacks their operations delivered.
pub(crate) fn tick() {
    if TICKING.with(|t| t.replace(true)) {
        return;
    }
    if !CHAINED.with(|c| c.replace(false)) {
        CHAIN_START.with(|c| c.set(Some(Instant::now())));
    }
    let was_busy = BUSY.with(|b| b.replace(true));
    let _busy = (!was_busy).then_some(Clear(&BUSY));
    {
        let _ticking = Clear(&TICKING);
        // A handle of our own: task code may detach the runtime (Neovim
        // exits) during the tick; the runtime then shuts down when this
        // handle is dropped, after the tick.
        let runtime = HOST.with(|h| h.borrow().as_ref().map(|host| host.runtime.clone()));
        if let Some(runtime) = runtime {
            runtime.tick();
        }
    }
    while let Some(call) = OUTBOX.with(|o| o.borrow_mut().pop_front()) {
        call();
    }
}

/// Calls `f` (which calls Lua) now, or when the running tick ends.
pub(crate) fn deliver(f: impl FnOnce() + 'static) {
    if TICKING.with(Cell::get) {
        OUTBOX.with(|o| o.borrow_mut().push_back(Box::new(f)));
    } else {
        f();
    }
}

/// Runs `f` when Neovim exits (`VimLeavePre`), before the runtime is
/// detached: how the layers above release what they keep (Lua values, the
/// tokio bridge). Hooks run in the order they were added.
pub(crate) fn on_detach(f: impl FnOnce() + 'static) {
    ON_DETACH.with(|hooks| hooks.borrow_mut().push(Box::new(f)));
}

/// Drops the runtime (every pending task, its handles closed) and every Lua
/// value kept here, after the `on_detach` hooks: Neovim is exiting.
fn detach() {
    let host = HOST.with(|h| h.borrow_mut().take());
    OUTBOX.with(|o| o.borrow_mut().clear());
    let hooks = ON_DETACH.with(|hooks| std::mem::take(&mut *hooks.borrow_mut()));
    for hook in hooks {
        hook();
    }
    if let Some(host) = host {
        host.runtime.uninstall();
    }
}
