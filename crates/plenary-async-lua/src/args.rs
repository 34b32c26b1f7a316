//! Arguments from Lua whose size is checked before anything is copied or
//! allocated: a script may pass a string of hundreds of megabytes where a
//! path or a host name goes, and the answer must be a quick error, not a
//! copy of it (or an error message that repeats it).

use mlua::prelude::*;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
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

/// A path argument: any bytes (Linux paths need not be UTF-8), at most
/// `PATH_MAX - 1` of them; longer is luv's `ENAMETOOLONG`, raised.
pub(crate) fn path_of(v: &LuaString) -> LuaResult<PathBuf> {
    let bytes = v.as_bytes();
    if bytes.len() >= PATH_MAX {
        return Err(LuaError::runtime(format!(
            "ENAMETOOLONG: name too long: {}",
            start(&bytes)
        )));
    }
    Ok(PathBuf::from(OsStr::from_bytes(&bytes)))
}

/// A host name, IP address, service or pipe name: a string (or a number,
/// as Lua converts it) of at most `NAME_MAX` bytes, checked before it is
/// copied.
pub(crate) struct Name(pub String);

impl FromLua for Name {
    fn from_lua(value: LuaValue, lua: &Lua) -> LuaResult<Self> {
        let s = match value {
            LuaValue::String(s) => s,
            LuaValue::Integer(_) | LuaValue::Number(_) => lua
                .coerce_string(value)?
                .ok_or_else(|| LuaError::runtime("expected a string (a name or an address)"))?,
            other => {
                return Err(LuaError::runtime(format!(
                    "expected a string (a name or an address), got {}",
                    other.type_name()
                )))
            }
        };
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
