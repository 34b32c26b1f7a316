//! How errors and panics become text for Lua: the one place the crate's
//! messages are made (the panic's text is the runtime's own,
//! [`plenary_async::panic_message`]).

use mlua::prelude::*;
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

/// The message of any error a plugin returns, as Lua code sees it (a Lua
/// error's as [`lua_message`] gives it).
pub(crate) fn message<E: Display + 'static>(e: &E) -> String {
    match (e as &dyn Any).downcast_ref::<LuaError>() {
        Some(lua_error) => lua_message(lua_error),
        None => e.to_string(),
    }
}
