//! The runtime on Neovim's loop: attached once, ticked from `vim.schedule`,
//! detached when Neovim exits.

use mlua::prelude::*;
use std::cell::{Cell, RefCell};
use std::ffi::c_void;

extern "C" {
    /// luv's accessor for the loop it runs on (Neovim's main loop). Neovim
    /// exports it with the `uv_*` symbols; this module links neither.
    fn luv_loop(state: *mut mlua::ffi::lua_State) -> *mut c_void;
}

thread_local! {
    static RUNTIME: RefCell<Option<plenary_async::Runtime>> = const { RefCell::new(None) };
    static TICKING: Cell<bool> = const { Cell::new(false) };
}

/// Attaches this thread's runtime to Neovim's loop (once).
pub fn attach(lua: &Lua) -> LuaResult<()> {
    if RUNTIME.with(|r| r.borrow().is_some()) {
        return Ok(());
    }
    let mut loop_ptr: *mut c_void = std::ptr::null_mut();
    // SAFETY: luv_loop reads luv's registry entry of this Lua state; it is
    // called on the state's own thread, inside a C call of that state.
    unsafe { lua.exec_raw::<()>((), |state| loop_ptr = luv_loop(state)) }?;
    if loop_ptr.is_null() {
        return Err(LuaError::runtime(
            "plenary_async: luv has no loop here; this module runs inside Neovim",
        ));
    }
    let vim: LuaTable = lua.globals().get("vim")?;
    let schedule: LuaFunction = vim.get("schedule")?;
    let defer_fn: LuaFunction = vim.get("defer_fn")?;
    let tick = lua.create_function(|_, ()| {
        tick_now();
        Ok(())
    })?;
    // Called by the runtime when work is ready: have Neovim call `tick`
    // from its main loop, where the API may be used. Work that is left over
    // when a tick used up its budget goes through a 0 ms timer instead
    // (`vim.defer_fn`), so that the loop polls I/O and fires its timers
    // between two ticks: `vim.schedule` callbacks all run in one burst, and
    // re-scheduling from inside one would starve the rest of Neovim.
    let notify = move || {
        let result = if TICKING.with(Cell::get) {
            defer_fn.call::<LuaValue>((tick.clone(), 0)).map(|_| ())
        } else {
            schedule.call::<()>(tick.clone())
        };
        if let Err(e) = result {
            eprintln!("plenary_async: scheduling a tick failed: {e}");
        }
    };
    // SAFETY: Neovim's loop is live for the whole session and runs on this
    // thread; the runtime is detached (VimLeavePre, below) before Neovim
    // closes it.
    let rt = unsafe { plenary_async::Runtime::attach_with(loop_ptr, notify) };
    RUNTIME.with(|r| *r.borrow_mut() = Some(rt));

    let detach = lua.create_function(|_, ()| {
        if let Some(rt) = RUNTIME.with(|r| r.borrow_mut().take()) {
            rt.detach(); // drops every pending task and closes the handles
        }
        Ok(())
    })?;
    let api: LuaTable = vim.get("api")?;
    let create_autocmd: LuaFunction = api.get("nvim_create_autocmd")?;
    let opts = lua.create_table()?;
    opts.set("callback", detach)?;
    opts.set(
        "desc",
        "plenary_async: drop pending tasks before Neovim exits",
    )?;
    create_autocmd.call::<LuaValue>(("VimLeavePre", opts))?;
    Ok(())
}

/// Clears the "ticking" flag when a tick ends, also by a panic, so that
/// the runtime can always tick again.
struct Ticking;

impl Drop for Ticking {
    fn drop(&mut self) {
        TICKING.with(|t| t.set(false));
    }
}

/// Runs ready Rust tasks now, unless a tick is already running; returns
/// whether more work is queued. (Lua tasks never run inside a tick: an
/// operation's end queues its Lua task, which resumes from Lua's own
/// queue, so task code that runs the loop cannot re-enter a tick.)
pub fn tick_now() -> bool {
    if TICKING.with(|t| t.replace(true)) {
        return true;
    }
    let _ticking = Ticking;
    RUNTIME.with(|r| r.borrow().as_ref().map(|rt| rt.tick()).unwrap_or(false))
}
