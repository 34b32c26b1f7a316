//! `a.control`: channels, Condvar and Semaphore, carrying Lua values
//! (any number of them, nil and false included) through
//! `plenary_async::control`.

use crate::stored::Stored;
use mlua::prelude::*;
use plenary_async::control::{self as c, channel};
use std::cell::RefCell;
use std::rc::Rc;

fn err(message: impl Into<String>) -> LuaError {
    LuaError::runtime(message.into())
}

fn oneshot(lua: &Lua, (): ()) -> LuaResult<(LuaFunction, LuaFunction)> {
    let (tx, rx) = channel::oneshot::<Stored>();
    let tx = RefCell::new(Some(tx));
    let rx = RefCell::new(Some(rx));
    let send = lua.create_function(move |lua, values: LuaMultiValue| {
        let Some(t) = tx.borrow_mut().take() else {
            return Err(err("plenary_async: a oneshot channel can only send once"));
        };
        let _ = t.send(Stored::new(lua, values)?); // a receiver that is gone just drops them
        Ok(())
    })?;
    let recv = crate::park::create_async(lua, move |lua, ()| {
        let r = rx.borrow_mut().take();
        async move {
            let Some(r) = r else {
                return Err(err(
                    "plenary_async: a oneshot channel can only receive once",
                ));
            };
            let message = r.await.map_err(|_| {
                err("plenary_async: the oneshot sender was dropped without sending")
            })?;
            message.into_values(&lua)
        }
    })?;
    Ok((send, recv))
}

fn busy() -> LuaError {
    err("plenary_async: another task is already receiving on this channel (it has one receiver)")
}

// The receiver's `RefCell` borrow is held across the await on purpose: it is
// the single-consumer guard (a second task's `try_borrow_mut` fails with a
// clear error instead of two tasks receiving at once), and it is released
// when the receiving future completes or is dropped.
#[allow(clippy::await_holding_refcell_ref)]
fn mpsc(lua: &Lua, (): ()) -> LuaResult<(LuaTable, LuaTable)> {
    let (tx, rx) = channel::mpsc::<Stored>();
    let sender = lua.create_table()?;
    sender.set(
        "send",
        lua.create_function(move |lua, values: LuaMultiValue| {
            tx.send(Stored::new(lua, values)?)
                .map_err(|_| err("plenary_async: the mpsc receiver is gone"))
        })?,
    )?;
    let rx = Rc::new(RefCell::new(rx));
    let receiver = lua.create_table()?;
    let r = rx.clone();
    receiver.set(
        "recv",
        crate::park::create_async(lua, move |lua, ()| {
            let rx = r.clone();
            async move {
                let mut rx = rx.try_borrow_mut().map_err(|_| busy())?;
                match rx.recv().await {
                    Some(message) => message.into_values(&lua),
                    None => Ok(LuaMultiValue::new()),
                }
            }
        })?,
    )?;
    receiver.set(
        "last",
        crate::park::create_async(lua, move |lua, ()| {
            let rx = rx.clone();
            async move {
                let mut rx = rx.try_borrow_mut().map_err(|_| busy())?;
                match rx.last().await {
                    Some(message) => message.into_values(&lua),
                    None => Ok(LuaMultiValue::new()),
                }
            }
        })?,
    )?;
    Ok((sender, receiver))
}

fn counter(lua: &Lua, (): ()) -> LuaResult<(LuaTable, LuaTable)> {
    let (tx, rx) = channel::counter();
    let sender = lua.create_table()?;
    sender.set(
        "send",
        lua.create_function(move |_, ()| {
            tx.send();
            Ok(())
        })?,
    )?;
    let receiver = lua.create_table()?;
    let r = rx.clone();
    receiver.set(
        "recv",
        crate::park::create_async(lua, move |_, ()| {
            let rx = r.clone();
            async move {
                rx.recv()
                    .await
                    .map_err(|_| err("plenary_async: the counter's sender is gone"))
            }
        })?,
    )?;
    receiver.set(
        "last",
        crate::park::create_async(lua, move |_, ()| {
            let rx = rx.clone();
            async move {
                rx.last()
                    .await
                    .map(|_| ())
                    .map_err(|_| err("plenary_async: the counter's sender is gone"))
            }
        })?,
    )?;
    Ok((sender, receiver))
}

/// `Condvar.new()`: `cv:wait()`, `cv:notify_all()`, `cv:notify_one()`.
struct Condvar(c::Condvar);

impl LuaUserData for Condvar {
    fn add_methods<M: LuaUserDataMethods<Self>>(methods: &mut M) {
        methods.add_method("wait", |lua, this, ()| {
            let wait = this.0.wait();
            crate::park::start(lua, async move {
                wait.await;
                Ok(())
            })
        });
        methods.add_method("notify_all", |_, this, ()| {
            this.0.notify_all();
            Ok(())
        });
        methods.add_method("notify_one", |_, this, ()| {
            this.0.notify_one();
            Ok(())
        });
    }
}

/// `Semaphore.new(n)`: `sem:acquire()` returns a permit; `permit:forget()`
/// releases it (plenary's name).
struct Semaphore(c::Semaphore);

struct Permit(RefCell<Option<c::Permit>>);

impl LuaUserData for Permit {
    fn add_methods<M: LuaUserDataMethods<Self>>(methods: &mut M) {
        methods.add_method("forget", |_, this, ()| {
            // plenary's `forget` releases the permit; forgetting twice is harmless.
            drop(this.0.borrow_mut().take());
            Ok(())
        });
    }
}

impl LuaUserData for Semaphore {
    fn add_methods<M: LuaUserDataMethods<Self>>(methods: &mut M) {
        methods.add_method("acquire", |lua, this, ()| {
            let acquire = this.0.acquire();
            crate::park::start(
                lua,
                async move { Ok(Permit(RefCell::new(Some(acquire.await)))) },
            )
        });
        methods.add_method("available_permits", |_, this, ()| {
            Ok(this.0.available_permits())
        });
    }
}

pub fn register(lua: &Lua, core: &LuaTable) -> LuaResult<()> {
    core.set("oneshot", lua.create_function(oneshot)?)?;
    core.set("mpsc", lua.create_function(mpsc)?)?;
    core.set("counter", lua.create_function(counter)?)?;
    core.set(
        "condvar",
        lua.create_function(|_, ()| Ok(Condvar(c::Condvar::new())))?,
    )?;
    core.set(
        "semaphore",
        lua.create_function(|_, permits: LuaValue| {
            let n = match permits {
                LuaValue::Integer(n) if n >= 0 => n as usize,
                LuaValue::Number(n) if n >= 0.0 && n.fract() == 0.0 => n as usize,
                other => {
                    return Err(err(format!(
                        "plenary_async.control.Semaphore.new: expected a number of permits >= 0, got {other:?}"
                    )))
                }
            };
            Ok(Semaphore(c::Semaphore::new(n)))
        })?,
    )?;
    Ok(())
}
