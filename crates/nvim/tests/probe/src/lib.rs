//! A test plugin: `require("nvim_probe")` gives tests/lua/rust_plugins_spec.lua
//! the functions that check plenary-async-nvim from inside Neovim (where
//! task code resumes, cancellation both ways, errors and panics, the tokio
//! bridge) and the workloads of crates/bench/lua/rust_plugins.lua.

use a::io::{AsyncReadExt as _, AsyncWriteExt as _};
use mlua::prelude::*;
use plenary_async as a;
use plenary_async_nvim as nvim;
use std::cell::Cell;

type Error = Box<dyn std::error::Error>;

thread_local! {
    /// How many `hold` futures are alive.
    static LIVE: Cell<i64> = const { Cell::new(0) };
    /// How many connections to the test server's `/slow` the client closed.
    static SLOW_CLOSED: Cell<i64> = const { Cell::new(0) };
}

/// Counts itself in `LIVE` while it exists.
struct Live;

impl Live {
    fn new() -> Live {
        LIVE.with(|l| l.set(l.get() + 1));
        Live
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        LIVE.with(|l| l.set(l.get() - 1));
    }
}

fn vim(lua: &Lua) -> LuaResult<LuaTable> {
    lua.globals().get("vim")
}

/// Fails unless Neovim's API may be called here: not in a fast event, and a
/// call that a fast event forbids (setting buffer lines) works.
fn check_api(what: &str) -> LuaResult<()> {
    let lua = nvim::lua();
    let vim = vim(&lua)?;
    let fast: bool = vim.get::<LuaFunction>("in_fast_event")?.call(())?;
    if fast {
        return Err(LuaError::runtime(format!(
            "{what}: resumed in a fast event"
        )));
    }
    let api: LuaTable = vim.get("api")?;
    let set_lines: LuaFunction = api.get("nvim_buf_set_lines")?;
    set_lines.call::<()>((0, 0, -1, false, [what]))
}

/// Awaits each kind of thing a task awaits, and calls Neovim's API after
/// each; returns the kinds, in order.
async fn api_after_awaits(dir: String) -> Result<Vec<String>, Error> {
    use a::uv::process::{Command, Stdio};
    let mut seen = Vec::new();
    let mut done = |what: &str| -> LuaResult<()> {
        check_api(what)?;
        seen.push(what.to_owned());
        Ok(())
    };
    a::util::sleep(1).await;
    done("timer")?;
    a::uv::fs::stat(&dir).await?;
    done("fs")?;
    let mut child = Command::new("sh")
        .args(["-c", "echo out"])
        .stdout(Stdio::Piped)
        .spawn()?;
    let mut out = child.stdout.take().expect("piped");
    let mut all = Vec::new();
    out.read_to_end(&mut all).await?;
    done("pipe")?;
    child.wait().await?;
    done("process")?;
    let (tx, rx) = a::control::channel::oneshot();
    a::spawn(async move {
        a::util::sleep(1).await;
        let _ = tx.send(1);
    })
    .detach();
    rx.await?;
    done("channel")?;
    let lua = nvim::lua();
    // A Lua callback called from a raw libuv timer: a fast event.
    let from_fast: LuaFunction = lua
        .load("return function(cb) local t = vim.uv.new_timer(); t:start(1, 0, function() t:close(); cb() end) end")
        .eval()?;
    nvim::call::<()>(&from_fast, ()).await?;
    done("lua callback (fast event)")?;
    nvim::schedule().await?;
    done("schedule")?;
    let n = nvim::tokio::spawn(async {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        7
    })
    .await?;
    assert_eq!(n, 7);
    done("tokio")?;
    Ok(seen)
}

/// Never completes; counted in `live()` until dropped; holds a libuv handle
/// (a listening socket) too.
async fn hold() -> Result<(), Error> {
    let _live = Live::new();
    let listener = a::uv::tcp::TcpListener::bind("127.0.0.1:0")?;
    loop {
        listener.accept().await?;
    }
}

/// Awaits the callback-style Lua function `f` (`f(cb)`), returns what `cb` got.
async fn call_lua(f: LuaFunction) -> Result<LuaMultiValue, Error> {
    Ok(nvim::call::<LuaMultiValue>(&f, ()).await?)
}

/// Awaits `f(cb)` for `ms` milliseconds, then drops that future.
async fn drop_call(f: LuaFunction, ms: u64) -> Result<&'static str, Error> {
    let call = async {
        let _ = nvim::call::<LuaMultiValue>(&f, ()).await;
        "called"
    };
    let timer = async {
        a::util::sleep(ms).await;
        "dropped"
    };
    Ok(a::util::race2(call, timer).await)
}

/// Runs the Lua function `f` as a plenary_async task; its results.
async fn lua_task(f: LuaFunction) -> Result<LuaMultiValue, Error> {
    Ok(nvim::lua_task::<LuaMultiValue>(&f).await?)
}

/// Like `lua_task`, dropping the await after `ms` ms (the Lua task is canceled).
async fn drop_lua_task(f: LuaFunction, ms: u64) -> Result<&'static str, Error> {
    let task = async {
        let _ = nvim::lua_task::<LuaMultiValue>(&f).await;
        "finished"
    };
    let timer = async {
        a::util::sleep(ms).await;
        "dropped"
    };
    Ok(a::util::race2(task, timer).await)
}

async fn panic_after_await() -> Result<(), Error> {
    a::util::sleep(1).await;
    // resume_unwind: a panic that skips the panic hook (nothing printed:
    // scripts/test-lua.sh fails on a printed panic, which would be a bug).
    std::panic::resume_unwind(Box::new("the probe's panic"));
}

/// A detached task that panics after an await.
fn spawn_panic(_: &Lua, (): ()) -> LuaResult<()> {
    a::spawn(async {
        a::util::sleep(1).await;
        std::panic::resume_unwind(Box::new("the detached probe task's panic"));
    })
    .detach();
    Ok(())
}

/// A task (`nvim::spawn`) that fails after an await.
fn spawn_error(_: &Lua, (): ()) -> LuaResult<()> {
    nvim::spawn(async {
        a::util::sleep(1).await;
        Err::<(), _>("the probe task's error")
    })
    .detach();
    Ok(())
}

/// A small HTTP server on this plugin's runtime (Neovim's loop):
/// `/hello` answers; `/slow` never does, and counts clients that close.
fn serve(_: &Lua, (): ()) -> LuaResult<u16> {
    let listener = a::uv::tcp::TcpListener::bind("127.0.0.1:0").map_err(LuaError::external)?;
    let port = listener.local_addr().port();
    a::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            a::spawn(answer(conn)).detach();
        }
    })
    .detach();
    Ok(port)
}

async fn answer(mut conn: a::uv::tcp::TcpStream) -> Result<(), a::Error> {
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = conn.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        request.extend_from_slice(&buf[..n]);
    }
    if request.starts_with(b"GET /slow ") {
        // No answer: wait until the client gives up.
        while conn.read(&mut buf).await? > 0 {}
        SLOW_CLOSED.with(|c| c.set(c.get() + 1));
        return Ok(());
    }
    let body = "hello from Neovim's loop";
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    conn.write_all(response.as_bytes()).await?;
    Ok(conn.close().await?)
}

/// GET `url` with reqwest on the tokio bridge; the body.
async fn http_get(url: String) -> Result<String, Error> {
    let body = nvim::tokio::spawn(async move {
        let response = reqwest::get(url).await?;
        response.text().await
    })
    .cancel_on_drop() // canceling the Lua task that awaits aborts the request
    .await??;
    Ok(body)
}

/// A tokio task that panics: its error, as the bridge reports it.
async fn tokio_panic() -> Result<String, Error> {
    let result = nvim::tokio::spawn(async {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        // resume_unwind: no panic message is printed (see panic_after_await).
        std::panic::resume_unwind(Box::new("tokio boom"))
    })
    .await;
    match result {
        Err(e) if e.is_panic() => Ok(e.to_string()),
        Err(e) => Err(format!("not a panic: {e}").into()),
        Ok(()) => Err("the task did not panic".into()),
    }
}

#[mlua::lua_module]
fn nvim_probe(lua: &Lua) -> LuaResult<LuaTable> {
    nvim::attach(lua)?;
    let t = lua.create_table()?;
    nvim::export(&t, "api_after_awaits", api_after_awaits)?;
    nvim::export(&t, "hold", hold)?;
    nvim::export(&t, "call_lua", call_lua)?;
    nvim::export(&t, "drop_call", drop_call)?;
    nvim::export(&t, "lua_task", lua_task)?;
    nvim::export(&t, "drop_lua_task", drop_lua_task)?;
    nvim::export(&t, "panic_after_await", panic_after_await)?;
    nvim::export(&t, "http_get", http_get)?;
    nvim::export(&t, "tokio_panic", tokio_panic)?;
    nvim::export(&t, "ready", |x: f64| async move { Ok::<_, Error>(x) })?;
    nvim::export(&t, "yield_once", |x: f64| async move {
        a::util::yield_now().await;
        Ok::<_, Error>(x)
    })?;
    nvim::export(&t, "sleep", |ms: u64| async move {
        a::util::sleep(ms).await;
        Ok::<_, Error>(ms)
    })?;
    // A libuv error of the runtime: as an `a::Error`, and boxed.
    nvim::export(&t, "stat", |path: String| async move {
        a::uv::fs::stat(&path).await.map(|_| true)
    })?;
    nvim::export(&t, "stat_boxed", |path: String| async move {
        a::uv::fs::stat(&path).await?;
        Ok::<_, Error>(true)
    })?;
    nvim::export(&t, "fail", |msg: String| async move {
        a::util::sleep(1).await;
        Err::<(), _>(msg)
    })?;
    t.set(
        "live",
        lua.create_function(|_, ()| Ok(LIVE.with(Cell::get)))?,
    )?;
    t.set(
        "slow_closed",
        lua.create_function(|_, ()| Ok(SLOW_CLOSED.with(Cell::get)))?,
    )?;
    t.set("spawn_panic", lua.create_function(spawn_panic)?)?;
    t.set("spawn_error", lua.create_function(spawn_error)?)?;
    t.set("serve", lua.create_function(serve)?)?;
    Ok(t)
}
