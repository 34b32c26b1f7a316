//! Arguments from Lua, converted to owned Rust values when the call is
//! made, with their sizes checked before anything is copied or allocated.
//!
//! Owned, because an operation that waits must hold no Lua value: each
//! mlua value (a string, a table, a userdata) takes a slot of mlua's
//! auxiliary stack while it lives, and that stack has 8,000 slots, so
//! 10,000 reads waiting at once with their path strings would exhaust it
//! (mlua then panics). Checked, because a script may pass a string of
//! hundreds of megabytes where a path or a host name goes, and the answer
//! must be a quick error, not a copy of it (or an error message that
//! repeats it).

use mlua::prelude::*;
use std::path::PathBuf;

/// The longest path the kernel takes (`PATH_MAX`, terminator included).
const PATH_MAX: usize = 4096;
/// The longest host name, address or service name (`NI_MAXHOST`).
const NAME_MAX: usize = 1025;

/// The first bytes of a long string, for an error message.
fn start(bytes: &[u8]) -> String {
    let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(40)]).into_owned();
    if bytes.len() > 40 {
        format!("{shown}… ({} bytes)", bytes.len())
    } else {
        shown
    }
}

/// A path argument: any bytes (Linux paths need not be UTF-8; on Windows
/// they must be, as luv's are), at most `PATH_MAX - 1` of them; longer is
/// luv's `ENAMETOOLONG`, raised.
pub(crate) fn path_of(v: &LuaString) -> LuaResult<PathBuf> {
    let bytes = v.as_bytes();
    if bytes.len() >= PATH_MAX {
        return Err(LuaError::runtime(format!(
            "ENAMETOOLONG: name too long: {}",
            start(&bytes)
        )));
    }
    #[cfg(unix)]
    return Ok(PathBuf::from(
        <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(&bytes),
    ));
    #[cfg(windows)]
    return std::str::from_utf8(&bytes).map(PathBuf::from).map_err(|_| {
        LuaError::runtime(format!(
            "EINVAL: a path that is not UTF-8: {}",
            start(&bytes)
        ))
    });
}

/// A path argument (a string, or a number as Lua converts it), owned.
pub(crate) struct LuaPath(pub PathBuf);

impl FromLua for LuaPath {
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        let s = string_of(value, lua, "a path")?;
        path_of(&s).map(LuaPath)
    }
}

/// A string argument, or a number as Lua converts it to one.
fn string_of(value: LuaValue, lua: &Lua, what: &str) -> LuaResult<LuaString> {
    match value {
        LuaValue::String(s) => Ok(s),
        LuaValue::Integer(_) | LuaValue::Number(_) => lua
            .coerce_string(value)?
            .ok_or_else(|| LuaError::runtime(format!("expected {what} (a string)"))),
        other => Err(LuaError::runtime(format!(
            "expected {what} (a string), got {}",
            other.type_name()
        ))),
    }
}

/// Data to write (luv's): a string, or a list of strings written one after
/// the other; owned.
pub(crate) struct Bytes(pub Vec<u8>);

impl FromLua for Bytes {
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        if let LuaValue::Table(t) = value {
            let mut out = Vec::new();
            for part in t.sequence_values::<LuaValue>() {
                match part? {
                    LuaValue::String(s) => out.extend_from_slice(&s.as_bytes()),
                    other => {
                        return Err(LuaError::runtime(format!(
                            "data tables hold strings, got a {}",
                            other.type_name()
                        )))
                    }
                }
            }
            return Ok(Bytes(out));
        }
        let s = string_of(value, lua, "data: a string or a table of strings")?;
        Ok(Bytes(s.as_bytes().to_vec()))
    }
}

/// A host name, IP address, service or pipe name: a string (or a number,
/// as Lua converts it) of at most `NAME_MAX` bytes, checked before it is
/// copied.
pub(crate) struct Name(pub String);

impl FromLua for Name {
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        let s = string_of(value, lua, "a name or an address")?;
        let bytes = s.as_bytes();
        if bytes.len() > NAME_MAX {
            return Err(LuaError::runtime(format!(
                "a name or address is at most {NAME_MAX} bytes, got {}",
                start(&bytes)
            )));
        }
        Ok(Name(String::from_utf8_lossy(&bytes).into_owned()))
    }
}
