//! The task tree (`plenary_async::scope::tree`) for Lua: the `vim_async`
//! tasks are its nodes, named to Lua by numbers. Ownership, the order of a
//! recursive close, completion after children and failure propagation are
//! the tree's (shared with Rust scopes); what a close or a failure does to
//! a Lua task is Lua's, through three hook functions that the tree calls
//! with node numbers: `close(id)`, `child_failed(id, child_id)`,
//! `completed(id)`.
//!
//! | Lua | |
//! |---|---|
//! | `tree_new(parent)` | a node (`parent` 0: top-level); returns its number |
//! | `tree_finish(id, failed)` | the task's own work is over |
//! | `tree_close(id)` | close it and, first, its children |
//! | `tree_detach(id)` / `tree_observe(id)` | make it top-level / mark its failure handled |
//! | `tree_state(id)` | `closing, failed, finished, completed, children` |
//! | `tree_children(id)` | the numbers of its attached, uncompleted children |
//! | `tree_set_hooks(t)` | `t.close`, `t.child_failed`, `t.completed`; returns the previous table |

use mlua::prelude::*;
use plenary_async::scope::tree::{Hooks, Node};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

thread_local! {
    /// Nodes that have not completed, by number.
    static NODES: RefCell<HashMap<u64, Node>> = RefCell::new(HashMap::new());
    static NEXT: Cell<u64> = const { Cell::new(0) };
}

const HOOKS: &str = "plenary_async.tree_hooks";

thread_local! {
    /// The hook functions, taken out of the hooks table once (a hook runs
    /// per completed task: no registry and field lookups each time).
    /// Emptied before Neovim exits, with the runtime (VimLeavePre).
    static HOOK_FNS: RefCell<Option<HookFns>> = const { RefCell::new(None) };
}

struct HookFns {
    close: LuaFunction,
    child_failed: LuaFunction,
    completed: LuaFunction,
}

fn node(id: u64) -> Option<Node> {
    NODES.with(|n| n.borrow().get(&id).cloned())
}

fn id_of(node: &Node) -> u64 {
    node.tag()
}

/// Calls the Lua hook `which` picks with `args`.
fn call(which: fn(&HookFns) -> &LuaFunction, args: impl IntoLuaMulti) {
    let f = HOOK_FNS.with(|h| h.borrow().as_ref().map(|fns| which(fns).clone()));
    let Some(f) = f else {
        return; // no hooks yet, or Neovim is exiting
    };
    if let Err(e) = f.call::<()>(args) {
        eprintln!("plenary_async: a task tree hook failed: {e}");
    }
}

struct LuaHooks(u64);

impl Hooks for LuaHooks {
    fn close(&self, _: &Node) {
        call(|f| &f.close, self.0);
    }
    fn child_failed(&self, _: &Node, child: &Node) {
        call(|f| &f.child_failed, (self.0, id_of(child)));
    }
    fn completed(&self, _: &Node) {
        NODES.with(|n| n.borrow_mut().remove(&self.0));
        call(|f| &f.completed, self.0);
    }
}

/// A new node under `parent` (0: top-level). Under a closing parent it is
/// closed at once, before Lua knows its number: the close hook then finds
/// no task for it, and the Lua side checks `tree_state` after `tree_new`.
fn new_node(parent: u64) -> LuaResult<u64> {
    let id = NEXT.get() + 1;
    NEXT.set(id);
    let hooks = Rc::new(LuaHooks(id));
    let node = if parent == 0 {
        Node::new(hooks)
    } else {
        let parent = node(parent).ok_or_else(|| {
            LuaError::runtime(format!(
                "tree_new: node {parent} has completed or does not exist"
            ))
        })?;
        parent.child(hooks)
    };
    node.set_tag(id);
    if !node.is_completed() {
        NODES.with(|n| n.borrow_mut().insert(id, node));
    }
    Ok(id)
}

pub fn register_core(lua: &Lua, core: &LuaTable) -> LuaResult<()> {
    core.set(
        "tree_release",
        lua.create_function(|_, ()| {
            HOOK_FNS.with(|h| h.borrow_mut().take());
            Ok(())
        })?,
    )?;
    core.set(
        "tree_new",
        lua.create_function(|_, parent: u64| new_node(parent))?,
    )?;
    core.set(
        "tree_finish",
        lua.create_function(|_, (id, failed): (u64, bool)| {
            if let Some(n) = node(id) {
                n.finish(failed);
            }
            Ok(())
        })?,
    )?;
    // Acting on a node that has completed (or never was) does nothing.
    for (name, act) in [
        ("tree_close", Node::close as fn(&Node)),
        ("tree_detach", Node::detach),
        ("tree_observe", Node::observe),
    ] {
        core.set(
            name,
            lua.create_function(move |_, id: u64| {
                if let Some(n) = node(id) {
                    act(&n);
                }
                Ok(())
            })?,
        )?;
    }
    core.set(
        "tree_state",
        lua.create_function(|_, id: u64| {
            Ok(match node(id) {
                Some(n) => (
                    n.is_closing(),
                    n.is_failed(),
                    n.is_finished(),
                    n.is_completed(),
                    n.children().len(),
                ),
                None => (false, false, true, true, 0),
            })
        })?,
    )?;
    core.set(
        "tree_children",
        lua.create_function(|_, id: u64| {
            Ok(node(id)
                .map(|n| n.children().iter().map(id_of).collect::<Vec<_>>())
                .unwrap_or_default())
        })?,
    )?;
    core.set(
        "tree_set_hooks",
        lua.create_function(|lua, hooks: LuaTable| {
            let previous: LuaValue = lua.named_registry_value(HOOKS)?;
            let fns = HookFns {
                close: hooks.get("close")?,
                child_failed: hooks.get("child_failed")?,
                completed: hooks.get("completed")?,
            };
            lua.set_named_registry_value(HOOKS, hooks)?;
            HOOK_FNS.with(|h| *h.borrow_mut() = Some(fns));
            Ok(previous)
        })?,
    )?;
    Ok(())
}
