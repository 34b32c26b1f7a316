//! The benchmark plugin of crates/bench/lua/rust_plugins.lua: the same
//! trivial async call (give back a number after one trip through an event
//! loop), awaited from Lua
//!
//! * `ours(x)` / `ours_ready(x)`: a plenary-async-nvim export whose future
//!   waits once (a trip through the runtime's tick) / is ready at once;
//! * `tokio_call(x, cb)`: the pattern Rust plugins use today (nvim-oxi's
//!   documented recipe): a task on a tokio runtime in another thread sends
//!   the result through a channel and a libuv async handle; the handle's
//!   callback, on Neovim's thread, `schedule`s the Lua callback.

use mlua::prelude::*;
use nvim_oxi::libuv::AsyncHandle;
use plenary_async_nvim as nvim;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::mpsc;

type Never = std::convert::Infallible;

/// The tokio pattern's state on Neovim's thread.
struct Peer {
    runtime: tokio::runtime::Runtime,
    results: mpsc::Sender<(u64, f64)>,
    wake: AsyncHandle,
    next: u64,
}

thread_local! {
    static PEER: RefCell<Option<Peer>> = const { RefCell::new(None) };
    /// The Lua callbacks of calls in flight, by id.
    static CALLBACKS: RefCell<HashMap<u64, LuaFunction>> = RefCell::new(HashMap::new());
}

fn start_peer() -> LuaResult<Peer> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .map_err(LuaError::external)?;
    let (results, inbox) = mpsc::channel::<(u64, f64)>();
    // On Neovim's thread, in a fast event: hand each result to
    // `vim.schedule`, where the Lua callback may run.
    let wake = AsyncHandle::new(move || {
        while let Ok((id, x)) = inbox.try_recv() {
            nvim_oxi::schedule(move |()| {
                if let Some(cb) = CALLBACKS.with(|c| c.borrow_mut().remove(&id)) {
                    if let Err(e) = cb.call::<()>((LuaValue::Nil, x)) {
                        eprintln!("nvim_bench: callback failed: {e}");
                    }
                }
            });
        }
    })
    .map_err(LuaError::external)?;
    Ok(Peer {
        runtime,
        results,
        wake,
        next: 0,
    })
}

/// `tokio_call(x, cb)`: the tokio pattern's round trip.
fn tokio_call(_: &Lua, (x, cb): (f64, LuaFunction)) -> LuaResult<()> {
    PEER.with(|p| {
        let mut p = p.borrow_mut();
        if p.is_none() {
            *p = Some(start_peer()?);
        }
        let peer = p.as_mut().expect("started");
        peer.next += 1;
        let id = peer.next;
        CALLBACKS.with(|c| c.borrow_mut().insert(id, cb));
        let (results, wake) = (peer.results.clone(), peer.wake.clone());
        peer.runtime.spawn(async move {
            tokio::task::yield_now().await;
            let _ = results.send((id, x));
            let _ = wake.send();
        });
        Ok(())
    })
}

#[nvim_oxi::plugin]
fn nvim_bench() -> nvim_oxi::Result<()> {
    let lua = nvim_oxi::mlua::lua();
    nvim::attach(&lua)?;
    let t = lua.create_table()?;
    nvim::export(&t, "ours", |x: f64| async move {
        plenary_async::util::yield_now().await;
        Ok::<_, Never>(x)
    })?;
    nvim::export(&t, "ours_ready", |x: f64| async move { Ok::<_, Never>(x) })?;
    t.set("tokio_call", lua.create_function(tokio_call)?)?;
    // Before Neovim exits: stop the peer's thread.
    t.set(
        "stop",
        lua.create_function(|_, ()| {
            if let Some(peer) = PEER.with(|p| p.borrow_mut().take()) {
                peer.runtime.shutdown_background();
            }
            Ok(())
        })?,
    )?;
    let loaded: LuaTable = lua.globals().get::<LuaTable>("package")?.get("loaded")?;
    loaded.set("nvim_bench", t)?;
    Ok(())
}
