//! How errors and panics become text for Lua: the one place the crate's
//! messages are made (the panic's text is the runtime's own,
//! [`plenary_async::panic_message`]).

use mlua::prelude::*;
use plenary_async as a;
use std::any::Any;
use std::fmt::Display;

pub(crate) use plenary_async::panic_message;

/// The message of a Lua error as Lua code sees it: without mlua's
/// "runtime error: " prefix, and the cause of a callback's error.
pub(crate) fn lua_message(e: &LuaError) -> String {
    match e {
        LuaError::RuntimeError(m) => m.clone(),
        LuaError::CallbackError { cause, .. } => lua_message(cause),
        other => other.to_string(),
    }
}

/// The message of any error a plugin returns, as Lua code sees it: a Lua
/// error's as [`lua_message`] gives it; a libuv error of the runtime
/// ([`a::Error::Uv`], also inside a `Box<dyn Error>` or an `io::Error`) as
/// luv writes its errors, "ENOENT: no such file or directory: /path", so
/// that Lua code matches its name as it matches luv's and plenary's
/// (`err:match("^ENOENT")`); anything else its `Display`.
pub(crate) fn message<E: Display + 'static>(e: &E) -> String {
    let any = e as &dyn Any;
    if let Some(lua_error) = any.downcast_ref::<LuaError>() {
        return lua_message(lua_error);
    }
    if let Some(err @ a::Error::Uv { name, path, .. }) = runtime_error(any) {
        let reason = err.uv_reason().unwrap_or_default();
        return match path {
            Some(path) => format!("{name}: {reason}: {path}"),
            None => format!("{name}: {reason}"),
        };
    }
    e.to_string()
}

/// The runtime's error in `any`: an `a::Error`, or one boxed as a
/// `dyn Error` or held by an `io::Error`.
fn runtime_error(any: &dyn Any) -> Option<&a::Error> {
    if let Some(e) = any.downcast_ref::<a::Error>() {
        return Some(e);
    }
    let inner: &(dyn std::error::Error + 'static) =
        if let Some(b) = any.downcast_ref::<Box<dyn std::error::Error>>() {
            &**b
        } else if let Some(b) = any.downcast_ref::<Box<dyn std::error::Error + Send + Sync>>() {
            &**b
        } else if let Some(io) = any.downcast_ref::<std::io::Error>() {
            io.get_ref()?
        } else {
            return None;
        };
    if let Some(e) = inner.downcast_ref::<a::Error>() {
        return Some(e);
    }
    inner
        .downcast_ref::<std::io::Error>()
        .and_then(std::io::Error::get_ref)
        .and_then(|e| e.downcast_ref::<a::Error>())
}
