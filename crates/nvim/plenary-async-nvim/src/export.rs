//! Rust async functions exported to Lua.
//!
//! [`function`] turns an `async fn` (any `Fn(A) -> impl Future<Output =
//! Result<R, E>>`) into a Lua function that works the two ways Lua code
//! awaits things:
//!
//! * **Callback style**, when its last argument is a function:
//!   `plugin.read_config(path, function(err, text) ... end)`. The callback
//!   gets `nil, results...` or the error's message. This is the form that
//!   plenary.async's `a.wrap(fn, 2)`, `vim.async`'s `await(2, fn, ...)`,
//!   nvim-nio and coop.nvim all wrap. The call returns a handle whose
//!   `close()` drops the future (its libuv requests canceled, its handles
//!   closed): a `vim.async` task closed while awaiting it closes it.
//! * **Awaited**, inside a `plenary_async` task, with no callback: `local
//!   text = plugin.read_config(path)` returns the results or raises the
//!   error. Canceling the task drops the future.
//!
//! Anywhere else (no callback, no task) the call is an error that says so.
//!
//! **How it runs.** The call makes the future and polls it once, at once:
//! if it is ready, the callback is called before the call returns (an
//! awaiting task does not even yield). If not, the future becomes a task of
//! the plugin's runtime, polled from Neovim's `vim.schedule` ticks, and its
//! callback is called right after the tick in which it finished, where
//! Neovim's API may be used. Called from a fast event (a raw libuv
//! callback), the future is not polled there but from the next tick, so its
//! code never runs where the API is unsafe.

use crate::error::{lua_message, message, panic_message};
use crate::host;
use mlua::prelude::*;
use plenary_async as a;
use std::cell::RefCell;
use std::fmt::Display;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// The Lua side of an exported function: dispatches on the call's form.
/// `make(name, start, start_later)` returns the function; `start(...)` and
/// `start_later(...)` take the arguments and the callback last.
const FACTORY_LUA: &str = r##"
local select, type, error = select, type, error
local in_fast = vim.in_fast_event
local loaded = package.loaded

local function settle(err, ...)
  if err ~= nil then
    error(err, 2)
  end
  return ...
end

return function(name, argc, start, start_later)
  local not_here = ("%s is an async function: call it inside a plenary_async task, or pass its %d argument(s) and a callback"):format(
    name,
    argc
  )
  -- `start` returns the handle, or false and a message (an error raised
  -- here is a string, with the caller's position).
  local function start_in_task(...)
    local handle, err = start(...)
    if handle == false then
      error(err, 0)
    end
    return handle
  end
  return function(...)
    local n = select("#", ...)
    if n == argc + 1 and type((select(n, ...))) == "function" then
      local handle, err
      if in_fast() then
        handle, err = start_later(...)
      else
        handle, err = start(...)
      end
      if handle == false then
        error(err, 2)
      end
      return handle
    end
    local pa = loaded.plenary_async
    if pa ~= nil and pa.in_task() then
      return settle(pa.await(argc + 1, start_in_task, ...))
    end
    error(not_here, 2)
  end
end
"##;

thread_local! {
    /// The factory (FACTORY_LUA), made on first use; released when Neovim
    /// exits.
    static FACTORY: RefCell<Option<LuaFunction>> = const { RefCell::new(None) };
}

/// The factory of exported functions' Lua wrappers.
fn factory(lua: &Lua) -> LuaResult<LuaFunction> {
    if let Some(f) = FACTORY.with(|f| f.borrow().clone()) {
        return Ok(f);
    }
    let f: LuaFunction = lua
        .load(FACTORY_LUA)
        .set_name("@plenary_async_nvim/export.lua")
        .call(())?;
    FACTORY.with(|slot| *slot.borrow_mut() = Some(f.clone()));
    host::on_detach(|| drop(FACTORY.with(|slot| slot.borrow_mut().take())));
    Ok(f)
}

/// A Rust async function that [`function`] can export: any `Fn(A1, …, An)
/// -> impl Future<Output = Result<R, E>>` with up to 8 arguments, each
/// converted from Lua by mlua's [`FromLua`], the results by
/// [`IntoLuaMulti`], the error shown with [`Display`]. Implemented for
/// every such function and closure; `Args` is the tuple of its argument
/// types (inferred).
///
/// ```
/// use plenary_async_nvim::AsyncFunction;
///
/// async fn add(a: i64, b: i64) -> Result<i64, std::convert::Infallible> {
///     Ok(a + b)
/// }
/// fn argc<Args, F: AsyncFunction<Args>>(_: &F) -> usize {
///     F::ARGC
/// }
/// assert_eq!(argc(&add), 2);
/// ```
pub trait AsyncFunction<Args>: 'static {
    /// How many arguments it takes (its callback then comes at `ARGC + 1`).
    const ARGC: usize;
    /// The future it returns.
    type Future: Future<Output = Result<Self::Output, Self::Error>> + 'static;
    /// Its results.
    type Output: IntoLuaMulti + 'static;
    /// Its error.
    type Error: Display + 'static;
    /// Converts `args` and calls the function.
    ///
    /// # Errors
    /// If an argument does not convert.
    ///
    /// ```no_run
    /// # fn f(lua: &mlua::Lua) -> mlua::Result<()> {
    /// use plenary_async_nvim::AsyncFunction;
    /// async fn double(x: i64) -> Result<i64, String> { Ok(2 * x) }
    /// let future = double.call_lua(lua, mlua::MultiValue::from_iter([mlua::Value::Integer(4)]))?;
    /// # Ok(()) }
    /// ```
    fn call_lua(&self, lua: &Lua, args: LuaMultiValue) -> LuaResult<Self::Future>;
}

macro_rules! async_function {
    ($n:expr; $($arg:ident)*) => {
        impl<Func, Fut, R, E, $($arg,)*> AsyncFunction<($($arg,)*)> for Func
        where
            Func: Fn($($arg),*) -> Fut + 'static,
            Fut: Future<Output = Result<R, E>> + 'static,
            R: IntoLuaMulti + 'static,
            E: Display + 'static,
            $($arg: FromLua,)*
        {
            const ARGC: usize = $n;
            type Future = Fut;
            type Output = R;
            type Error = E;

            #[allow(non_snake_case, unused_variables)]
            fn call_lua(&self, lua: &Lua, args: LuaMultiValue) -> LuaResult<Fut> {
                let ($($arg,)*) = <($($arg,)*)>::from_lua_multi(args, lua)?;
                Ok(self($($arg),*))
            }
        }
    };
}

async_function!(0;);
async_function!(1; A1);
async_function!(2; A1 A2);
async_function!(3; A1 A2 A3);
async_function!(4; A1 A2 A3 A4);
async_function!(5; A1 A2 A3 A4 A5);
async_function!(6; A1 A2 A3 A4 A5 A6);
async_function!(7; A1 A2 A3 A4 A5 A6 A7);
async_function!(8; A1 A2 A3 A4 A5 A6 A7 A8);

/// Makes a Lua function of the Rust async function `f`, named `name` in
/// error messages. Its arguments convert from Lua through mlua's
/// [`FromLua`] (use `mlua::LuaSerdeExt` or a `serde` type for tables), its
/// results through [`IntoLuaMulti`]; an `Err(e)` becomes a Lua error whose
/// message is `e`'s `Display`, except the runtime's libuv errors
/// ([`plenary_async::Error::Uv`], also boxed or inside an `io::Error`),
/// which read as luv's do: `"ENOENT: no such file or directory: /path"`
/// (Lua code matches the name with `err:match("^ENOENT")`, as it does for
/// luv and plenary; a string, so `vim.notify(err)` works). Lua calls it
/// two ways:
///
/// * **Callback style**: exactly its arguments, then a function:
///   `plugin.read_config(path, function(err, text) ... end)`. The callback
///   gets `nil, results...` or the error's message; the call returns a
///   handle whose `close()` drops the future (nil if it finished at once).
///   This is the form plenary's `a.wrap(f, n + 1)`, `vim.async`'s
///   `await(n + 1, f, ...)`, nvim-nio and coop.nvim wrap.
/// * **Awaited** in a `plenary_async` task, with its arguments (missing
///   ones are `nil`): `local text = plugin.read_config(path)` returns the
///   results or raises the error. Canceling the task drops the future.
///
/// Anywhere else it raises an error that says how to call it. The future is
/// polled once when the call is made (in a fast event, at the next tick
/// instead); if it is ready, the callback runs before the call returns.
/// Otherwise it runs as a task of the plugin's runtime, and the callback is
/// called from Neovim's `vim.schedule` tick, where the API may be used.
///
/// # Errors
/// If [`attach`](crate::attach) has not run.
///
/// ```no_run
/// use mlua::prelude::*;
/// use plenary_async as a;
/// use plenary_async_nvim as nvim;
///
/// async fn read_config(path: String) -> Result<String, a::Error> {
///     a::uv::fs::read_to_string(&path).await
/// }
///
/// async fn add(a: i64, b: i64) -> Result<i64, a::Error> {
///     Ok(a + b)
/// }
///
/// fn exports(lua: &Lua) -> LuaResult<LuaTable> {
///     nvim::attach(lua)?;
///     let t = lua.create_table()?;
///     t.set("read_config", nvim::function(lua, "read_config", read_config)?)?;
///     t.set("add", nvim::function(lua, "add", add)?)?;
///     Ok(t)
/// }
/// // Lua:
/// //   require("plenary_async").run(function()
/// //     local text = plugin.read_config("init.lua")
/// //   end)
/// //   plugin.read_config("init.lua", function(err, text) end)
/// ```
pub fn function<Args, F: AsyncFunction<Args>>(
    lua: &Lua,
    name: &str,
    f: F,
) -> LuaResult<LuaFunction> {
    if !host::is_attached() {
        return Err(LuaError::runtime(format!(
            "plenary_async_nvim::function({name:?}): call plenary_async_nvim::attach(lua) first"
        )));
    }
    let factory = factory(lua)?;
    let f = Rc::new(f);
    let name: Rc<str> = name.into();
    let starter = |poll_now: bool| {
        let (f, name) = (f.clone(), name.clone());
        lua.create_function(move |lua, args: LuaMultiValue| {
            Ok(match start_call(lua, &name, &*f, args, poll_now) {
                Ok(handle) => (handle, LuaValue::Nil),
                Err(message) => (LuaValue::Boolean(false), message.into_lua(lua)?),
            })
        })
    };
    factory.call((&*name, F::ARGC, starter(true)?, starter(false)?))
}

/// [`function`], set as `table[name]`: one line per exported function.
///
/// # Errors
/// As [`function`], or if the table cannot be written.
///
/// ```no_run
/// use mlua::prelude::*;
/// use plenary_async_nvim as nvim;
///
/// async fn double(x: i64) -> Result<i64, std::convert::Infallible> {
///     Ok(2 * x)
/// }
///
/// fn exports(lua: &Lua) -> LuaResult<LuaTable> {
///     nvim::attach(lua)?;
///     let t = lua.create_table()?;
///     nvim::export(&t, "double", double)?;
///     Ok(t)
/// }
/// ```
pub fn export<Args, F: AsyncFunction<Args>>(table: &LuaTable, name: &str, f: F) -> LuaResult<()> {
    let lua = host::try_lua()?;
    table.set(name, function(&lua, name, f)?)
}

/// A future's outcome as a callback's arguments: `nil, results...` or the
/// error's message.
type Outcome = Result<LuaMultiValue, String>;

fn callback_args(lua: &Lua, outcome: Outcome) -> LuaResult<LuaMultiValue> {
    match outcome {
        Ok(mut values) => {
            values.push_front(LuaValue::Nil);
            Ok(values)
        }
        Err(message) => (message,).into_lua_multi(lua),
    }
}

/// One call of an exported function: the arguments, then the callback.
/// Returns the handle of the running operation (nil if it finished at
/// once), or the message of an error to raise in the caller.
fn start_call<Args, F: AsyncFunction<Args>>(
    lua: &Lua,
    name: &str,
    f: &F,
    mut args: LuaMultiValue,
    poll_now: bool,
) -> Result<LuaValue, String> {
    let Some(LuaValue::Function(callback)) = args.pop_back() else {
        return Err(format!("{name}: the last argument must be the callback"));
    };
    let future = f
        .call_lua(lua, args)
        .map_err(|e| format!("{name}: bad arguments: {}", lua_message(&e)))?;
    let lua2 = lua.clone();
    let mut op: Pin<Box<dyn Future<Output = Outcome>>> = Box::pin(async move {
        match future.await {
            Ok(values) => values.into_lua_multi(&lua2).map_err(|e| lua_message(&e)),
            Err(e) => Err(message(&e)),
        }
    });
    if poll_now {
        // A first poll with a waker that does nothing: if the future is
        // not ready, its task polls it again before anything can be lost,
        // and registers that task's waker then.
        let mut cx = Context::from_waker(Waker::noop());
        if let Poll::Ready(outcome) = poll_caught(&mut op, &mut cx) {
            return callback_args(lua, outcome)
                .and_then(|args| callback.call::<()>(args))
                .map(|()| LuaValue::Nil)
                .map_err(|e| lua_message(&e));
        }
    }
    let lua2 = lua.clone();
    let name = name.to_owned();
    let task = a::spawn(async move {
        let outcome = std::future::poll_fn(|cx| poll_caught(&mut op, cx)).await;
        drop(op); // the future's destructors run in the tick, as its code did
        host::deliver(move || {
            let result = callback_args(&lua2, outcome).and_then(|args| callback.call::<()>(args));
            if let Err(e) = result {
                host::report_error(&format!("{name}: its callback failed: {}", lua_message(&e)));
            }
        });
    });
    let handle = OpHandle::new(task);
    lua.create_userdata(handle)
        .map(LuaValue::UserData)
        .map_err(|e| lua_message(&e))
}

/// Polls an operation with panics caught: a panic (a bug) ends it with an
/// error for its callback (whose task would otherwise wait for ever) and
/// never unwinds into the runtime's tick or into Lua.
fn poll_caught(
    op: &mut Pin<Box<dyn Future<Output = Outcome>>>,
    cx: &mut Context<'_>,
) -> Poll<Outcome> {
    match std::panic::catch_unwind(AssertUnwindSafe(|| op.as_mut().poll(cx))) {
        Ok(poll) => poll,
        Err(payload) => Poll::Ready(Err(format!("panicked: {}", panic_message(&*payload)))),
    }
}

/// A Rust task as Lua holds it: `h:close([cb])` drops the task's future
/// now (its destructors run: handles close, requests are canceled), then
/// calls `cb`; `h:is_closing()` says whether it was closed or has
/// finished. It is the convention `vim.async` closes awaited operations by:
/// an exported function's callback-style call returns one when its future
/// has to wait, and a plugin returns one for a task of its own (a watcher,
/// a server) that Lua may stop.
///
/// ```no_run
/// use mlua::prelude::*;
/// use plenary_async as a;
/// use plenary_async_nvim as nvim;
///
/// /// `local h = plugin.tick_every(ms)`; `h:close()` stops it.
/// fn tick_every(_: &Lua, ms: u64) -> LuaResult<nvim::OpHandle> {
///     let task = nvim::spawn(async move {
///         loop {
///             a::util::sleep(ms).await;
///             nvim::lua().load("vim.g.ticks = (vim.g.ticks or 0) + 1").exec()?;
///         }
///         #[allow(unreachable_code)]
///         Ok::<(), LuaError>(())
///     });
///     Ok(nvim::OpHandle::new(task))
/// }
/// ```
pub struct OpHandle(RefCell<Option<a::Task<()>>>);

impl OpHandle {
    /// The handle of `task`; dropping the handle (Lua collecting it)
    /// detaches the task, as dropping a [`Task`](a::Task) does.
    pub fn new(task: a::Task<()>) -> OpHandle {
        OpHandle(RefCell::new(Some(task)))
    }
}

impl LuaUserData for OpHandle {
    fn add_methods<M: LuaUserDataMethods<Self>>(methods: &mut M) {
        methods.add_method("close", |_, this, cb: Option<LuaFunction>| {
            let task = this.0.borrow_mut().take();
            if let Some(task) = task {
                task.cancel(); // drops the future now: its destructors run
            }
            if let Some(cb) = cb {
                cb.call::<()>(())?;
            }
            Ok(())
        });
        methods.add_method("is_closing", |_, this, ()| {
            Ok(this.0.borrow().as_ref().is_none_or(|t| t.is_finished()))
        });
    }
}
