//! `a.control`: channels, Condvar and Semaphore, carrying Lua values
//! (any number of them, nil and false included) through
//! `plenary_async::control`.

use crate::park;
use crate::stored::Stored;
use mlua::prelude::*;
use plenary_async::control::{self as c, channel};
use std::cell::RefCell;
use std::rc::Rc;

fn err(message: impl Into<String>) -> LuaError {
    LuaError::runtime(message.into())
}

// Channel ends are userdata with no methods of their own: `init.lua` binds
// each end to the shared functions below in a small Lua closure. Making a
// channel thus creates two userdata and no Rust functions (mlua makes a
// userdata and a closure for each function it creates).

struct OneshotSender(RefCell<Option<channel::oneshot::Sender<Stored>>>);
struct OneshotReceiver(RefCell<Option<channel::oneshot::Receiver<Stored>>>);
struct MpscSender(channel::mpsc::Sender<Stored>);
struct MpscReceiver(Rc<RefCell<channel::mpsc::Receiver<Stored>>>);
struct CounterSender(channel::counter::Sender);
struct CounterReceiver(channel::counter::Receiver);

impl LuaUserData for OneshotSender {}
impl LuaUserData for OneshotReceiver {}
impl LuaUserData for MpscSender {}
impl LuaUserData for MpscReceiver {}
impl LuaUserData for CounterSender {}
impl LuaUserData for CounterReceiver {}

fn oneshot_send(
    lua: &Lua,
    (tx, values): (LuaUserDataRef<OneshotSender>, LuaMultiValue),
) -> LuaResult<()> {
    let Some(t) = tx.0.borrow_mut().take() else {
        return Err(err("plenary_async: a oneshot channel can only send once"));
    };
    let _ = t.send(Stored::new(lua, values)?); // a receiver that is gone just drops them
    Ok(())
}

fn oneshot_recv(lua: &Lua, rx: LuaUserDataRef<OneshotReceiver>) -> LuaResult<LuaMultiValue> {
    let Some(r) = rx.0.borrow_mut().take() else {
        return Err(err(
            "plenary_async: a oneshot channel can only receive once",
        ));
    };
    let lua2 = lua.clone();
    park::start(lua, async move {
        let message = r
            .await
            .map_err(|_| err("plenary_async: the oneshot sender was dropped without sending"))?;
        message.into_values(&lua2)
    })
}

fn busy() -> LuaError {
    err("plenary_async: another task is already receiving on this channel (it has one receiver)")
}

fn mpsc_send(
    lua: &Lua,
    (tx, values): (LuaUserDataRef<MpscSender>, LuaMultiValue),
) -> LuaResult<()> {
    tx.0.send(Stored::new(lua, values)?)
        .map_err(|_| err("plenary_async: the mpsc receiver is gone"))
}

// The receiver's `RefCell` borrow is held across the await on purpose: it is
// the single-consumer guard (a second task's `try_borrow_mut` fails with a
// clear error instead of two tasks receiving at once), and it is released
// when the receiving future completes or is dropped.
#[allow(clippy::await_holding_refcell_ref)]
fn mpsc_recv(
    lua: &Lua,
    (rx, last): (LuaUserDataRef<MpscReceiver>, bool),
) -> LuaResult<LuaMultiValue> {
    let rx = rx.0.clone();
    let lua2 = lua.clone();
    park::start(lua, async move {
        let mut rx = rx.try_borrow_mut().map_err(|_| busy())?;
        let message = if last {
            rx.last().await
        } else {
            rx.recv().await
        };
        match message {
            Some(message) => message.into_values(&lua2),
            None => Ok(LuaMultiValue::new()),
        }
    })
}

fn counter_send(_: &Lua, tx: LuaUserDataRef<CounterSender>) -> LuaResult<()> {
    tx.0.send();
    Ok(())
}

fn counter_recv(
    lua: &Lua,
    (rx, last): (LuaUserDataRef<CounterReceiver>, bool),
) -> LuaResult<LuaMultiValue> {
    let rx = rx.0.clone();
    park::start(lua, async move {
        let got = if last {
            rx.last().await.map(|_| ())
        } else {
            rx.recv().await
        };
        got.map_err(|_| err("plenary_async: the counter's sender is gone"))
    })
}

/// `Condvar.new()`: `cv:wait()`, `cv:notify_all()`, `cv:notify_one()`.
struct Condvar(c::Condvar);

impl LuaUserData for Condvar {
    fn add_methods<M: LuaUserDataMethods<Self>>(methods: &mut M) {
        methods.add_method("wait", |lua, this, ()| {
            let wait = this.0.wait();
            park::start(lua, async move {
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
            park::start(
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
    core.set(
        "oneshot",
        lua.create_function(|_, ()| {
            let (tx, rx) = channel::oneshot::<Stored>();
            Ok((
                OneshotSender(RefCell::new(Some(tx))),
                OneshotReceiver(RefCell::new(Some(rx))),
            ))
        })?,
    )?;
    core.set(
        "mpsc",
        lua.create_function(|_, ()| {
            let (tx, rx) = channel::mpsc::<Stored>();
            Ok((MpscSender(tx), MpscReceiver(Rc::new(RefCell::new(rx)))))
        })?,
    )?;
    core.set(
        "counter",
        lua.create_function(|_, ()| {
            let (tx, rx) = channel::counter();
            Ok((CounterSender(tx), CounterReceiver(rx)))
        })?,
    )?;
    core.set("oneshot_send", lua.create_function(oneshot_send)?)?;
    core.set("oneshot_recv", lua.create_function(oneshot_recv)?)?;
    core.set("mpsc_send", lua.create_function(mpsc_send)?)?;
    core.set("mpsc_recv", lua.create_function(mpsc_recv)?)?;
    core.set("counter_send", lua.create_function(counter_send)?)?;
    core.set("counter_recv", lua.create_function(counter_recv)?)?;
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
