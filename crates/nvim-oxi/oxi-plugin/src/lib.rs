//! An example Neovim plugin in Rust, written with nvim-oxi: its async
//! functions run on Neovim's loop through plenary-async-nvim and call
//! nvim-oxi's API after their awaits.
//!
//! ```lua
//! local oxi = require("oxi_example")
//! require("plenary_async").run(function()
//!   local words = oxi.word_count("README.md")       -- awaited in a task
//!   local buf = oxi.scratch_from({ "ls", "-1" })     -- a new scratch buffer
//! end)
//! oxi.word_count("README.md", function(err, n) end)  -- or with a callback
//! ```

use nvim_oxi::api;
use nvim_oxi::mlua::prelude::*;
use plenary_async as a;
use plenary_async_nvim as nvim;

type Error = Box<dyn std::error::Error>;

/// The number of whitespace-separated words in the file at `path`.
async fn word_count(path: String) -> Result<usize, Error> {
    let text = a::uv::fs::read_to_string(&path).await?;
    Ok(text.split_whitespace().count())
}

/// Runs `cmd` and puts its output in a new scratch buffer (with nvim-oxi's
/// API, after the awaits); returns the buffer's number.
async fn scratch_from(cmd: Vec<String>) -> Result<i32, Error> {
    use a::uv::process::{Command, Stdio};
    let (program, args) = cmd
        .split_first()
        .ok_or("scratch_from: the command is empty")?;
    let mut child = Command::new(program)
        .args(args)
        .stdout(Stdio::Piped)
        .spawn()?;
    let out = child.stdout.take().expect("piped").read_all().await?;
    child.wait().await?;
    let text = String::from_utf8_lossy(&out);
    let mut buf = api::create_buf(false, true)?;
    buf.set_lines(.., false, text.lines())?;
    Ok(buf.handle())
}

#[nvim_oxi::plugin]
fn oxi_example() -> nvim_oxi::Result<()> {
    let lua = nvim_oxi::mlua::lua();
    nvim::attach(&lua)?;
    let exports = lua.create_table()?;
    nvim::export(&exports, "word_count", word_count)?;
    nvim::export(&exports, "scratch_from", scratch_from)?;
    // The module's value: a Lua loader that sets package.loaded[name] and
    // returns nothing (nil) makes `require` return what it set.
    let loaded: LuaTable = lua.globals().get::<LuaTable>("package")?.get("loaded")?;
    loaded.set("oxi_example", exports)?;
    Ok(())
}
