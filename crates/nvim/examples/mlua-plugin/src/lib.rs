//! An example Neovim plugin in Rust, written with mlua: three things plugin
//! authors do today with tokio on a second thread (plus a channel, an async
//! handle and `vim.schedule` to get back to the editor), done here on
//! Neovim's own loop with `plenary_async`.
//!
//! ```lua
//! local ex = require("mlua_example")
//! -- 1. Run a command; each line of its output lands in the buffer as it
//! --    arrives. Awaitable in a plenary_async task, or with a callback:
//! ex.stream({ "sh", "-c", "for i in 1 2 3; do echo $i; sleep 0.1; done" }, buf,
//!   function(err, code) print("exit", code) end)
//! -- 2. Mirror a directory's listing into a buffer, refreshed on change:
//! local watcher = ex.watch("/tmp/dir", buf)   -- watcher:close()
//! -- 3. Read and parse many JSON files at once; the results, in order:
//! local values = ex.parse_all({ "a.json", "b.json" })  -- in a task
//! ```

use a::io::AsyncReadExt as _;
use mlua::prelude::*;
use plenary_async as a;
use plenary_async_nvim as nvim;

type Error = Box<dyn std::error::Error>;

/// `vim.api.<name>`.
fn api(lua: &Lua, name: &str) -> LuaResult<LuaFunction> {
    lua.globals()
        .get::<LuaTable>("vim")?
        .get::<LuaTable>("api")?
        .get(name)
}

/// Runs `cmd` (program and arguments) and writes each line of its standard
/// output into buffer `buf` as it arrives (the first line replaces the
/// buffer's contents); returns the exit code.
async fn stream(cmd: Vec<String>, buf: i64) -> Result<i64, Error> {
    use a::uv::process::{Command, Stdio};
    let (program, args) = cmd.split_first().ok_or("stream: the command is empty")?;
    let mut child = Command::new(program)
        .args(args)
        .stdout(Stdio::Piped)
        .stderr(Stdio::Null)
        .spawn()?;
    let mut out = child.stdout.take().expect("stdout is piped");
    let set_lines = api(&nvim::lua(), "nvim_buf_set_lines")?;
    let mut written = 0;
    let mut append = |line: &[u8]| {
        let text = String::from_utf8_lossy(line).into_owned();
        let start = if written == 0 { 0 } else { -1 };
        written += 1;
        // Neovim's API, right after an await: the task runs where it is safe.
        set_lines.call::<()>((buf, start, -1, false, [text]))
    };
    let mut pending = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = out.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        pending.extend_from_slice(&chunk[..n]);
        let mut start = 0;
        while let Some(i) = pending[start..].iter().position(|&b| b == b'\n') {
            append(&pending[start..start + i])?;
            start += i + 1;
        }
        pending.drain(..start);
    }
    if !pending.is_empty() {
        append(&pending)?;
    }
    let status = child.wait().await?;
    Ok(status.code().unwrap_or(-1))
}

/// Sets buffer `buf` to the sorted names in `dir`.
async fn show_listing(dir: &str, buf: i64) -> Result<(), Error> {
    let mut names: Vec<String> = a::uv::fs::scandir(dir)
        .await?
        .into_iter()
        .map(|entry| entry.name.to_string_lossy().into_owned())
        .collect();
    names.sort();
    api(&nvim::lua(), "nvim_buf_set_lines")?.call::<()>((buf, 0, -1, false, names))?;
    Ok(())
}

/// Shows `dir`'s listing in `buf` now and after every change to it; the
/// handle's `close()` ends it (drops the watcher: its handle is closed).
fn watch(_: &Lua, (dir, buf): (String, i64)) -> LuaResult<nvim::OpHandle> {
    let mut events = a::uv::watch::fs_event(&dir).map_err(LuaError::external)?;
    let task = nvim::spawn(async move {
        show_listing(&dir, buf).await?;
        while let Some(event) = events.next().await {
            event?;
            // A burst of changes (a checkout, a build) is one refresh: wait
            // for the burst to settle, then drop the events it queued.
            a::util::sleep(20).await;
            while let Some(Some(more)) = futures_util::FutureExt::now_or_never(events.next()) {
                more?;
            }
            show_listing(&dir, buf).await?;
        }
        Ok::<_, Error>(())
    });
    Ok(nvim::OpHandle::new(task))
}

/// Reads and parses the JSON files at `paths`, all at once; returns the
/// values in the order of `paths` (as Lua tables, through serde).
async fn parse_all(paths: Vec<String>) -> Result<LuaValue, Error> {
    let reads = paths.iter().map(|path| async move {
        let text = a::uv::fs::read_to_string(path).await?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
        Ok::<_, Error>(value)
    });
    let values: Vec<serde_json::Value> = futures_util::future::join_all(reads)
        .await
        .into_iter()
        .collect::<Result<_, Error>>()?;
    Ok(nvim::lua().to_value(&values)?)
}

#[mlua::lua_module]
fn mlua_example(lua: &Lua) -> LuaResult<LuaTable> {
    nvim::attach(lua)?;
    let exports = lua.create_table()?;
    nvim::export(&exports, "stream", stream)?;
    nvim::export(&exports, "parse_all", parse_all)?;
    exports.set("watch", lua.create_function(watch)?)?;
    Ok(exports)
}
