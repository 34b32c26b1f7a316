//! Lua values kept by Rust between two Lua calls (a channel's queue).
//!
//! A Lua value held by Rust (a string, a table, a function) occupies a slot
//! of mlua's auxiliary stack, which LuaJIT limits to 8,000: a queue of
//! 10,000 strings would exhaust it. Values that are references go to the
//! registry instead (no limit); plain values (nil, booleans, numbers) are
//! kept as they are.

use mlua::prelude::*;

enum Slot {
    Plain(LuaValue),
    Registered(LuaRegistryKey),
}

/// A list of Lua values (a message), safe to keep in any number.
pub struct Stored(Vec<Slot>);

impl Stored {
    pub fn new(lua: &Lua, values: LuaMultiValue) -> LuaResult<Stored> {
        let mut slots = Vec::with_capacity(values.len());
        for v in values {
            slots.push(match v {
                LuaValue::Nil
                | LuaValue::Boolean(_)
                | LuaValue::Integer(_)
                | LuaValue::Number(_)
                | LuaValue::LightUserData(_) => Slot::Plain(v),
                other => Slot::Registered(lua.create_registry_value(other)?),
            });
        }
        Ok(Stored(slots))
    }

    pub fn into_values(self, lua: &Lua) -> LuaResult<LuaMultiValue> {
        let mut values = LuaMultiValue::with_capacity(self.0.len());
        for slot in self.0 {
            values.push_back(match slot {
                Slot::Plain(v) => v,
                Slot::Registered(key) => {
                    let v: LuaValue = lua.registry_value(&key)?;
                    lua.remove_registry_value(key)?;
                    v
                }
            });
        }
        Ok(values)
    }
}
