//! How a Lua task awaits a Rust future (an operation of `a.uv`).
//!
//! An async function of this module is a plain Rust function that makes a
//! future and polls it once, at once. If the future is ready, the function
//! returns `true, results...` and the task goes on without yielding. If
//! not, the future is handed to the runtime as a task of its own (an
//! *operation*, with a number) and the function returns [`marker`] and
//! that number; the Lua side (`task.lua`) makes its task wait. When the
//! operation is done, the runtime (in its tick, from `vim.schedule`) calls
//! the Lua function registered with `set_deliver` as `deliver(id, true,
//! results...)` or `deliver(id, false, message)`, which queues the task to
//! resume. `cancel_op(id)` drops an operation whose task was canceled (its
//! libuv requests are canceled, its handles closed, as the runtime does
//! for any dropped future).

use mlua::prelude::*;
use plenary_async as a;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ffi::c_void;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::ptr;
use std::task::{Context, Poll, Waker};

/// A future made by an async function, with its results as Lua values.
type Op = Pin<Box<dyn Future<Output = LuaResult<LuaMultiValue>>>>;

thread_local! {
    /// The operations that are running, by number.
    static OPS: RefCell<HashMap<u64, a::Task<()>>> = RefCell::new(HashMap::new());
    static NEXT: Cell<u64> = const { Cell::new(0) };
}

const DELIVER: &str = "plenary_async.deliver";

static MARK: u8 = 0;

/// The value that says "running: wait for operation number N".
pub fn marker() -> LuaLightUserData {
    LuaLightUserData(ptr::addr_of!(MARK) as *mut c_void)
}

/// Calls `deliver(id, ok, ...)` with the outcome of an operation.
fn deliver(lua: &Lua, id: u64, outcome: LuaResult<LuaMultiValue>) {
    let Ok(f) = lua.named_registry_value::<LuaFunction>(DELIVER) else {
        return; // the module is being unloaded
    };
    let args = match outcome {
        Ok(mut values) => {
            values.push_front(LuaValue::Boolean(true));
            values.push_front(LuaValue::Number(id as f64));
            values
        }
        Err(e) => {
            let message = match lua.create_string(error_message(&e)) {
                Ok(m) => LuaValue::String(m),
                Err(_) => LuaValue::Nil,
            };
            LuaMultiValue::from_iter([
                LuaValue::Number(id as f64),
                LuaValue::Boolean(false),
                message,
            ])
        }
    };
    if let Err(e) = f.call::<()>(args) {
        eprintln!("plenary_async: resuming a task after an operation failed: {e}");
    }
}

/// Polls `fut` once: `true, results...` if it is ready, else runs it as an
/// operation of the runtime and returns the marker and its number.
pub fn start<R, F>(lua: &Lua, fut: F) -> LuaResult<LuaMultiValue>
where
    R: IntoLuaMulti,
    F: Future<Output = LuaResult<R>> + 'static,
{
    let lua2 = lua.clone();
    let mut fut: Op = Box::pin(async move { fut.await?.into_lua_multi(&lua2) });
    // A first poll with a waker that does nothing: a future that is not
    // ready is polled again by its task (below) before anything can be
    // lost, and registers that task's waker then.
    let mut cx = Context::from_waker(Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(mut values)) => {
            values.push_front(LuaValue::Boolean(true));
            Ok(values)
        }
        Poll::Ready(Err(e)) => Err(e),
        Poll::Pending => {
            let id = NEXT.get() + 1;
            NEXT.set(id);
            let lua2 = lua.clone();
            let task = a::spawn(async move {
                let outcome = CatchPanic(fut).await;
                OPS.with(|ops| ops.borrow_mut().remove(&id));
                deliver(&lua2, id, outcome);
            });
            OPS.with(|ops| ops.borrow_mut().insert(id, task));
            (LuaValue::LightUserData(marker()), id as f64).into_lua_multi(lua)
        }
    }
}

/// An operation polled with panics caught: a panic in an operation (a bug)
/// ends it with an error for its Lua task, which would otherwise wait for
/// ever, and never unwinds through the runtime's tick.
struct CatchPanic(Op);

impl Future for CatchPanic {
    type Output = LuaResult<LuaMultiValue>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let op = &mut self.0;
        match std::panic::catch_unwind(AssertUnwindSafe(|| op.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => {
                let what = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".to_owned());
                Poll::Ready(Err(LuaError::runtime(format!(
                    "plenary_async: an operation panicked: {what}"
                ))))
            }
        }
    }
}

/// A future that is pending once, then panics without calling the panic
/// hook (`resume_unwind`: nothing is printed): `core._panic_in_tick()`,
/// for the test that a panic inside a tick leaves the runtime working.
struct PanicAfterWait(bool);

impl Future for PanicAfterWait {
    type Output = LuaResult<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.0 {
            std::panic::resume_unwind(Box::new("the test panic of _panic_in_tick"));
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// A Rust async function for Lua: `f(lua, args)` makes the future.
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

pub fn register(lua: &Lua, core: &LuaTable) -> LuaResult<()> {
    core.set("parked", LuaValue::LightUserData(marker()))?;
    core.set(
        "set_deliver",
        lua.create_function(|lua, f: LuaFunction| lua.set_named_registry_value(DELIVER, f))?,
    )?;
    core.set(
        "cancel_op",
        lua.create_function(|_, id: f64| {
            let task = OPS.with(|ops| ops.borrow_mut().remove(&(id as u64)));
            if let Some(mut task) = task {
                task.cancel();
            }
            Ok(())
        })?,
    )?;
    core.set(
        "_panic_in_tick",
        create_async(lua, |_, ()| PanicAfterWait(false))?,
    )?;
    Ok(())
}
