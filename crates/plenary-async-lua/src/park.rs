//! How a Lua task waits for a Rust future, without allocating Lua objects.
//!
//! An async function of this module is a plain Rust function. Called from
//! a task, it makes its future and polls it once, at once, with the waker
//! of the task being resumed (which [`Coroutine`](crate::task) lends for
//! the duration of the resume). If the future is ready, the function
//! returns `true, results...` and the task goes on without yielding. If
//! not, the future is *parked*: the function leaves it in a thread-local
//! slot and returns [`marker`]; the Lua side (`settle` in `init.lua`)
//! yields the marker, the task's `Coroutine` takes the parked future and
//! keeps it, and when the future is ready resumes the coroutine with
//! `true, results...` (or `false, message`), which `settle` returns (or
//! raises).
//!
//! mlua's own async functions do the same with a userdata and a closure per
//! call, garbage for LuaJIT's collector, whose pauses are what made
//! Neovim's timers late under many tasks (see docs/BENCHMARKS.md). Here a
//! call allocates nothing on the Lua heap; the future lives in a `Box`.

use mlua::prelude::*;
use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::future::Future;
use std::pin::Pin;
use std::ptr;
use std::task::{Context, Poll, Waker};

/// A parked future: what the task waits for, and then its results.
pub type Parked = Pin<Box<dyn Future<Output = LuaResult<LuaMultiValue>>>>;

thread_local! {
    /// The waker of the task being resumed, while it is (null otherwise).
    static WAKER: Cell<*const Waker> = const { Cell::new(ptr::null()) };
    /// The future parked by the last call that has to wait.
    static PARKED: RefCell<Option<Parked>> = const { RefCell::new(None) };
}

static MARK: u8 = 0;

/// The value that says "parked: yield it and wait".
pub fn marker() -> LuaLightUserData {
    LuaLightUserData(ptr::addr_of!(MARK) as *mut c_void)
}

/// Runs `resume` with `waker` lent to the async functions it calls, then
/// returns its result and the future it parked, if any.
pub fn lend_waker<T>(waker: &Waker, resume: impl FnOnce() -> T) -> (T, Option<Parked>) {
    // Nested resumes (a task's code running Neovim's loop, which ticks the
    // runtime) save and restore the outer waker.
    let outer = WAKER.replace(waker as *const Waker);
    let result = resume();
    WAKER.set(outer);
    (result, PARKED.take())
}

/// Polls `fut` once with the waker of the task being resumed: `true,
/// results...` if it is ready, else parks it and returns the marker.
pub fn start<R, F>(lua: &Lua, fut: F) -> LuaResult<LuaMultiValue>
where
    R: IntoLuaMulti,
    F: Future<Output = LuaResult<R>> + 'static,
{
    let waker = WAKER.get();
    if waker.is_null() {
        return Err(LuaError::runtime(
            "plenary_async: an async function was called in a coroutine the runtime is not running; call it inside a task (a.run or a.void)",
        ));
    }
    let lua2 = lua.clone();
    let mut fut: Parked = Box::pin(async move { fut.await?.into_lua_multi(&lua2) });
    // SAFETY: `WAKER` is non-null only inside `lend_waker`, whose caller
    // holds the `Waker` it points to for the whole call, and this runs
    // within that call (the task's resume).
    let mut cx = Context::from_waker(unsafe { &*waker });
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(mut values)) => {
            values.push_front(LuaValue::Boolean(true));
            Ok(values)
        }
        Poll::Ready(Err(e)) => Err(e),
        Poll::Pending => {
            PARKED.set(Some(fut));
            LuaValue::LightUserData(marker()).into_lua_multi(lua)
        }
    }
}

/// `lua.create_async_function` for this module's protocol: `f(lua, args)`
/// makes the future.
pub fn create_async<A, R, F, Fut>(lua: &Lua, f: F) -> LuaResult<LuaFunction>
where
    A: FromLuaMulti,
    R: IntoLuaMulti,
    F: Fn(Lua, A) -> Fut + 'static,
    Fut: Future<Output = LuaResult<R>> + 'static,
{
    lua.create_function(move |lua, args: A| start(lua, f(lua.clone(), args)))
}

/// The message of an error, as Lua code expects it (a string without
/// mlua's "runtime error: " prefix).
pub fn error_message(err: &LuaError) -> String {
    match err {
        LuaError::RuntimeError(m) => m.clone(),
        LuaError::CallbackError { cause, .. } => error_message(cause),
        other => other.to_string(),
    }
}
