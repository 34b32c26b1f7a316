//! Lua coroutines as tasks of the runtime, and the basic awaitables.

use crate::park;
use mlua::prelude::*;
use plenary_async as a;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// A Lua coroutine run as a future, holding it only through the registry.
///
/// mlua's `AsyncThread` keeps a reference to its coroutine on mlua's
/// auxiliary stack, which LuaJIT limits to 8,000 slots: 8,000 pending tasks
/// at most. This future keeps a `RegistryKey` instead (no limit), resumes
/// the coroutine itself, and keeps the future the coroutine waits for (see
/// [`park`](crate::park)).
struct Coroutine {
    lua: Lua,
    key: Rc<LuaRegistryKey>,
    /// What the coroutine waits for.
    parked: Option<park::Parked>,
    /// The values of the next resume: `true, results...` or `false, message`.
    resume: LuaMultiValue,
}

impl Coroutine {
    fn new(lua: &Lua, co: LuaThread) -> LuaResult<Coroutine> {
        Ok(Coroutine {
            lua: lua.clone(),
            key: Rc::new(lua.create_registry_value(co)?),
            parked: None,
            resume: LuaMultiValue::new(),
        })
    }

    fn thread(&self) -> LuaResult<LuaThread> {
        self.lua.registry_value(&self.key)
    }
}

/// The table of coroutines that are tasks (`init.lua`'s `tasks`, used to
/// tell task code from other code). A task's entry is removed as soon as
/// its `Coroutine` goes, so the table holds the live tasks only. (It has
/// weak keys too: LuaJIT traverses a strong table in one step, which with
/// 100,000 tasks alive made a 30 ms pause; a weak one is cleared in its
/// atomic phase, cheaper. See docs/BENCHMARKS.md.)
struct Tasks(LuaRegistryKey);

impl Drop for Coroutine {
    fn drop(&mut self) {
        let tasks = match self.lua.app_data_ref::<Tasks>() {
            Some(t) => self.lua.registry_value::<LuaTable>(&t.0),
            None => return,
        };
        if let (Ok(tasks), Ok(co)) = (tasks, self.thread()) {
            let _ = tasks.raw_set(co, LuaValue::Nil);
        }
    }
}

impl Future for Coroutine {
    type Output = LuaResult<LuaMultiValue>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some(parked) = this.parked.as_mut() {
            let outcome = match parked.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(outcome) => outcome,
            };
            this.parked = None;
            this.resume = match outcome {
                Ok(mut values) => {
                    values.push_front(LuaValue::Boolean(true));
                    values
                }
                Err(e) => {
                    let message = match this.lua.create_string(park::error_message(&e)) {
                        Ok(m) => m,
                        Err(e) => return Poll::Ready(Err(e)),
                    };
                    LuaMultiValue::from_iter([LuaValue::Boolean(false), LuaValue::String(message)])
                }
            };
        }
        let thread = match this.thread() {
            Ok(t) => t,
            Err(e) => return Poll::Ready(Err(e)),
        };
        let args = std::mem::take(&mut this.resume);
        let (result, parked) =
            park::lend_waker(cx.waker(), || thread.resume::<LuaMultiValue>(args));
        match result {
            Err(e) => Poll::Ready(Err(e)),
            Ok(values) => {
                if thread.status() != LuaThreadStatus::Resumable {
                    return Poll::Ready(Ok(values));
                }
                match parked {
                    // Already polled once, with this task's waker.
                    Some(p) => this.parked = Some(p),
                    // A plain `coroutine.yield()` in task code: go on at the
                    // next turn.
                    None => cx.waker().wake_by_ref(),
                }
                Poll::Pending
            }
        }
    }
}

const REPORTER: &str = "plenary_async.report";

/// Reports an error nobody awaits (a `void` task's), through the function
/// `init.lua` registered (it hands the message to Neovim).
fn report(lua: &Lua, message: String) {
    match lua.named_registry_value::<LuaFunction>(REPORTER) {
        Ok(f) => {
            if let Err(e) = f.call::<()>(message.clone()) {
                eprintln!("plenary_async: {message} (and reporting it failed: {e})");
            }
        }
        Err(_) => eprintln!("plenary_async: {message}"),
    }
}

/// The message of a failed coroutine, with the coroutine's own stack.
fn traceback(lua: &Lua, co: &LuaThread, err: &LuaError) -> String {
    let message = match err {
        LuaError::RuntimeError(m) => m.clone(),
        LuaError::CallbackError { cause, .. } => cause.to_string(),
        other => other.to_string(),
    };
    if message.contains("stack traceback:") {
        return message; // mlua already added the coroutine's stack
    }
    let tb = lua
        .globals()
        .get::<LuaTable>("debug")
        .and_then(|d| d.get::<LuaFunction>("traceback"))
        .and_then(|f| f.call::<String>((co.clone(), message.clone())));
    tb.unwrap_or(message)
}

/// A running task, as Lua sees it.
pub struct TaskHandle(RefCell<Option<a::Task<()>>>);

impl LuaUserData for TaskHandle {
    fn add_methods<M: LuaUserDataMethods<Self>>(methods: &mut M) {
        methods.add_method("cancel", |_, this, ()| {
            if let Some(task) = this.0.borrow_mut().as_mut() {
                task.cancel();
            }
            Ok(())
        });
        methods.add_method("is_finished", |_, this, ()| {
            Ok(this.0.borrow().as_ref().is_none_or(|t| t.is_finished()))
        });
    }
}

/// `spawn(co, on_done, fast)`: runs the coroutine `co` as a task; `on_done(true,
/// ...)` gets its results, `on_done(false, traceback)` its error. Without
/// `on_done`, an error is reported to Neovim. The task starts at once (up
/// to its first wait), as plenary's `a.run` does.
fn spawn(
    lua: &Lua,
    (co, on_done, fast): (LuaThread, Option<LuaFunction>, Option<bool>),
) -> LuaResult<TaskHandle> {
    let lua2 = lua.clone();
    let running = Coroutine::new(lua, co)?;
    let key = running.key.clone();
    // The callback too lives in the registry while the task runs.
    let on_done = on_done.map(|f| lua.create_registry_value(f)).transpose()?;
    // Start it at once, as plenary does (up to its first wait; other ready
    // tasks keep their turn), unless we are in a fast event (a raw libuv
    // callback), where task code must not run: the API is not safe there.
    // It then starts from the next tick, in vim.schedule. The caller says
    // which (init.lua asks `vim.in_fast_event()`); if it does not, ask here.
    let fast = match fast {
        Some(fast) => fast,
        None => lua
            .globals()
            .get::<LuaTable>("vim")
            .and_then(|vim| vim.get::<LuaFunction>("in_fast_event"))
            .and_then(|f| f.call::<bool>(()))
            .unwrap_or(true),
    };
    let spawn = if fast {
        a::spawn::<std::pin::Pin<Box<dyn Future<Output = ()>>>>
    } else {
        a::spawn_now::<std::pin::Pin<Box<dyn Future<Output = ()>>>>
    };
    let task = spawn(Box::pin(async move {
        let on_done = |lua: &Lua| -> Option<LuaFunction> {
            on_done.as_ref().and_then(|k| lua.registry_value(k).ok())
        };
        let outcome = match running.await {
            Ok(values) => match on_done(&lua2) {
                Some(cb) => cb.call::<()>((true, values)),
                None => Ok(()),
            },
            Err(err) => {
                let co: LuaThread = match lua2.registry_value(&key) {
                    Ok(co) => co,
                    Err(e) => return report(&lua2, e.to_string()),
                };
                let tb = traceback(&lua2, &co, &err);
                match on_done(&lua2) {
                    Some(cb) => cb.call::<()>((false, tb)),
                    None => {
                        report(&lua2, tb);
                        Ok(())
                    }
                }
            }
        };
        if let Err(e) = outcome {
            report(&lua2, format!("error in a task's callback: {e}"));
        }
    }));
    Ok(TaskHandle(RefCell::new(Some(task))))
}

/// `await_callback(make)`: `make(cb)` returns a coroutine that starts the
/// callback-style operation, passing it `cb`; the coroutine runs as a task
/// of its own (so it may itself await), and this waits for the first call
/// of `cb` and returns its arguments. Later calls of `cb` are ignored. An
/// error in the coroutine before `cb` is called is raised here.
async fn await_callback(lua: Lua, make: LuaFunction) -> LuaResult<LuaMultiValue> {
    let (tx, rx) = a::control::channel::oneshot::<Result<LuaMultiValue, String>>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let tx_cb = tx.clone();
    let cb = lua.create_function(move |_, args: LuaMultiValue| {
        if let Some(t) = tx_cb.borrow_mut().take() {
            let _ = t.send(Ok(args));
        }
        Ok(())
    })?;
    let co: LuaThread = make.call(cb)?;
    let lua2 = lua.clone();
    let child = Coroutine::new(&lua, co)?;
    a::spawn(async move {
        let key = child.key.clone();
        if let Err(err) = child.await {
            let tb = match lua2.registry_value::<LuaThread>(&key) {
                Ok(co) => traceback(&lua2, &co, &err),
                Err(e) => e.to_string(),
            };
            if let Some(t) = tx.borrow_mut().take() {
                let _ = t.send(Err(tb));
            } else {
                report(&lua2, tb);
            }
        }
    })
    .detach();
    match rx.await {
        Ok(Ok(values)) => Ok(values),
        Ok(Err(tb)) => Err(LuaError::runtime(tb)),
        Err(_) => Err(LuaError::runtime(
            "plenary_async: the callback of a wrapped function was garbage-collected without being called",
        )),
    }
}

pub fn register(lua: &Lua, core: &LuaTable) -> LuaResult<()> {
    core.set("spawn", lua.create_function(spawn)?)?;
    core.set(
        "set_reporter",
        lua.create_function(|lua, f: LuaFunction| lua.set_named_registry_value(REPORTER, f))?,
    )?;
    core.set(
        "sleep",
        park::create_async(lua, |_, ms: f64| async move {
            if !ms.is_finite() || ms < 0.0 {
                return Err(LuaError::runtime(format!(
                    "plenary_async.util.sleep: expected a duration in milliseconds >= 0, got {ms}"
                )));
            }
            a::util::sleep(std::time::Duration::from_secs_f64(ms / 1000.0)).await;
            Ok(())
        })?,
    )?;
    core.set(
        "scheduler",
        park::create_async(lua, |_, ()| async {
            a::util::scheduler().await;
            Ok(())
        })?,
    )?;
    core.set(
        "set_tasks",
        lua.create_function(|lua, t: LuaTable| {
            lua.set_app_data(Tasks(lua.create_registry_value(t)?));
            Ok(())
        })?,
    )?;
    core.set("parked", LuaValue::LightUserData(park::marker()))?;
    core.set("await_callback", park::create_async(lua, await_callback)?)?;
    core.set(
        "tick",
        lua.create_function(|_, ()| Ok(crate::runtime::tick_now()))?,
    )?;
    Ok(())
}
