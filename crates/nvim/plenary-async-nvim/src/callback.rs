//! Lua awaited from Rust: a callback-style Lua function, a `plenary_async`
//! Lua task, or Neovim's next `vim.schedule` turn, as a future.
//!
//! [`call`] calls `func(args..., cb)` when the future is first polled and
//! completes with what `cb` is first called with (later calls are ignored).
//! Dropping the future before that leaves nothing waiting: `cb` then does
//! nothing, and if `func` returned a handle with a `close` method (as
//! `vim.system`-style and `vim.async`-style operations do), it is closed.

use crate::error::lua_message;
use crate::host;
use mlua::prelude::*;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// Where the callback leaves its arguments for the future.
#[derive(Default)]
struct Slot {
    values: RefCell<Option<LuaMultiValue>>,
    waker: RefCell<Option<Waker>>,
    /// The future was dropped: the callback does nothing.
    dropped: Cell<bool>,
}

enum State {
    /// Not polled yet: the call is made at the first poll.
    Start(LuaFunction, LuaMultiValue),
    /// The arguments did not convert, or the runtime is not attached.
    Failed(LuaError),
    /// Called: waiting for the callback; the handle `func` returned.
    Waiting(Rc<Slot>, Option<LuaValue>),
    Done,
}

/// The future of [`call`]: completes with the callback's arguments.
///
/// ```no_run
/// # async fn f(func: mlua::Function) -> mlua::Result<()> {
/// let call: plenary_async_nvim::Call<(i64,)> = plenary_async_nvim::call(&func, "arg");
/// let (n,) = call.await?;
/// # Ok(()) }
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Call<R> {
    state: State,
    _out: PhantomData<fn() -> R>,
}

/// Awaits the callback-style Lua function `func`: calls `func(args..., cb)`
/// at the first poll and completes with `cb`'s arguments, converted to `R`
/// (any [`FromLuaMulti`]: a tuple, `LuaMultiValue`, a `serde` value …).
/// A Lua error raised by `func` itself is the future's error.
///
/// # Cancel safety
/// Dropping the future before `cb` is called leaves nothing waiting: a later
/// call of `cb` is ignored, and a handle with `close` that `func` returned
/// is closed.
///
/// ```no_run
/// use mlua::prelude::*;
/// use plenary_async as a;
/// use plenary_async_nvim as nvim;
///
/// a::spawn(async {
///     let lua = nvim::lua();
///     let ui: LuaTable = lua.globals().get::<LuaTable>("vim")?.get("ui")?;
///     let input: LuaFunction = ui.get("input")?;
///     let opts = lua.create_table()?;
///     opts.set("prompt", "Name: ")?;
///     let (name,): (Option<String>,) = nvim::call(&input, opts).await?;
///     println!("{name:?}");
///     Ok::<_, LuaError>(())
/// })
/// .detach();
/// ```
pub fn call<R: FromLuaMulti>(func: &LuaFunction, args: impl IntoLuaMulti) -> Call<R> {
    // A failure here is the future's error, at its first poll.
    let state = match host::try_lua().and_then(|lua| args.into_lua_multi(&lua)) {
        Ok(args) => State::Start(func.clone(), args),
        Err(e) => State::Failed(e),
    };
    Call {
        state,
        _out: PhantomData,
    }
}

impl<R: FromLuaMulti> Future for Call<R> {
    type Output = LuaResult<R>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        match std::mem::replace(&mut this.state, State::Done) {
            State::Failed(e) => return Poll::Ready(Err(e)),
            State::Start(func, args) => this.state = start(func, args)?,
            waiting => this.state = waiting,
        }
        let State::Waiting(slot, _) = &this.state else {
            panic!("plenary_async_nvim::Call polled after it completed");
        };
        let values = slot.values.borrow_mut().take();
        match values {
            Some(values) => {
                this.state = State::Done;
                Poll::Ready(host::try_lua().and_then(|lua| R::from_lua_multi(values, &lua)))
            }
            None => {
                *slot.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Calls `func(args..., cb)`: the state of a call waiting for `cb`.
fn start(func: LuaFunction, mut args: LuaMultiValue) -> LuaResult<State> {
    let lua = host::try_lua()?;
    let slot = Rc::new(Slot::default());
    let s = slot.clone();
    let cb = lua.create_function(move |_, values: LuaMultiValue| {
        if !s.dropped.get() && s.values.borrow().is_none() {
            *s.values.borrow_mut() = Some(values);
            if let Some(w) = s.waker.borrow_mut().take() {
                w.wake();
            }
        }
        Ok(())
    })?;
    args.push_back(LuaValue::Function(cb));
    let returned: LuaValue = func.call(args)?;
    let closer = match &returned {
        LuaValue::Table(_) | LuaValue::UserData(_) => Some(returned),
        _ => None,
    };
    Ok(State::Waiting(slot, closer))
}

impl<R> Drop for Call<R> {
    fn drop(&mut self) {
        if let State::Waiting(slot, closer) = std::mem::replace(&mut self.state, State::Done) {
            slot.dropped.set(true);
            slot.waker.borrow_mut().take();
            if let Some(handle) = closer {
                close(&handle);
            }
        }
    }
}

/// Calls `handle:close()` if it has such a method; a failure is reported.
fn close(handle: &LuaValue) {
    let close = match handle {
        LuaValue::Table(t) => t.get::<LuaValue>("close"),
        LuaValue::UserData(u) => u.get::<LuaValue>("close"),
        _ => return,
    };
    if let Ok(LuaValue::Function(close)) = close {
        if let Err(e) = close.call::<()>(handle.clone()) {
            host::report_error(&format!(
                "closing an awaited Lua operation failed: {}",
                lua_message(&e)
            ));
        }
    }
}

/// Runs `func` as a `plenary_async` Lua task (`require("plenary_async").run`)
/// and awaits its results; the task's error (with its traceback) is the
/// future's error. Needs the `plenary_async` Lua module.
///
/// # Cancel safety
/// Dropping the future cancels the Lua task.
///
/// ```no_run
/// use mlua::prelude::*;
/// use plenary_async as a;
/// use plenary_async_nvim as nvim;
///
/// a::spawn(async {
///     let lua = nvim::lua();
///     let body: LuaFunction = lua
///         .load("return function() require('plenary_async').util.sleep(10); return 42 end")
///         .eval()?;
///     let answer: i64 = nvim::lua_task(&body).await?;
///     assert_eq!(answer, 42);
///     Ok::<_, LuaError>(())
/// })
/// .detach();
/// ```
pub async fn lua_task<R: FromLuaMulti>(func: &LuaFunction) -> LuaResult<R> {
    const RUN: &str = r#"
        return function(fn, cb)
          local task = require("plenary_async").run(fn, cb)
          return { close = function() task:cancel() end }
        end"#;
    // The adapter is loaded once per Lua state and kept in its registry
    // (plugins that share the state share it: the same few lines).
    const KEY: &str = "plenary_async_nvim.lua_task";
    let lua = host::try_lua()?;
    let run = match lua.named_registry_value::<Option<LuaFunction>>(KEY)? {
        Some(run) => run,
        None => {
            let run: LuaFunction = lua
                .load(RUN)
                .set_name("@plenary_async_nvim/lua_task.lua")
                .eval()?;
            lua.set_named_registry_value(KEY, &run)?;
            run
        }
    };
    let mut values: LuaMultiValue = call(&run, func.clone()).await?;
    match values.pop_front() {
        Some(LuaValue::Boolean(true)) => R::from_lua_multi(values, &lua),
        _ => {
            let message = match values.pop_front() {
                Some(LuaValue::String(s)) => s.to_string_lossy(),
                Some(other) => format!("{other:?}"),
                None => "the Lua task failed".to_owned(),
            };
            Err(LuaError::runtime(message))
        }
    }
}

/// Completes from Neovim's next `vim.schedule` turn: the Rust counterpart
/// of `a.api` / `a.util.scheduler()`. Task code is always resumed where
/// the API is safe; awaiting `schedule()` also lets Neovim handle input and
/// redraw before the task goes on (and leaves a fast event, for code that
/// runs in one).
///
/// ```no_run
/// use plenary_async as a;
/// use plenary_async_nvim as nvim;
///
/// a::spawn(async {
///     for _ in 0..1000 {
///         // ... some work ...
///         nvim::schedule().await?; // let the editor breathe
///     }
///     Ok::<_, mlua::Error>(())
/// })
/// .detach();
/// ```
pub async fn schedule() -> LuaResult<()> {
    let lua = host::try_lua()?;
    let vim: LuaTable = lua.globals().get("vim")?;
    let schedule: LuaFunction = vim.get("schedule")?;
    call::<()>(&schedule, ()).await
}
