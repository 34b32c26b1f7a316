//! The task tree (`plenary_async::scope::tree`) for Lua: the `vim_async`
//! tasks are its nodes, named to Lua by numbers. Ownership, the order of a
//! recursive close, completion after children and failure propagation are
//! the tree's (shared with Rust scopes); what a close or a failure does to
//! a Lua task is Lua's, through three hook functions that the tree calls
//! with node numbers: `close(id)`, `child_failed(id, child_id)`,
//! `completed(id, failed)` (`failed`: the tree says the node failed: its
//! own work did, or an unobserved child failure reached it, even after its
//! own work had finished).
//!
//! One completion is handed back rather than called: the tree's last
//! `completed` event of a `tree_finish` call is its return value (the hot
//! path of a task that ends with no children left: the Lua side completes
//! it inline, without a call from Rust back into Lua). The order of
//! events is kept: a completion held back is sent to its hook before any
//! other hook runs, so a hook never runs while one is held (`DEFERRED`).
//!
//! | Lua | |
//! |---|---|
//! | `tree_new(parent)` | a node (`parent` 0: top-level); returns its number |
//! | `tree_finish(id, failed, observed)` | the task's own work is over (`observed`: its outcome is taken, as `tree_observe`); returns the number of a node that completed last, for the caller to complete, negated if it failed (0: none) |
//! | `tree_completed(c)` | calls the `completed` hook for what `tree_finish` returned (for a caller that does not complete inline) |
//! | `tree_close(id)` | close it and, first, its children |
//! | `tree_detach(id)` / `tree_observe(id)` | make it top-level / mark its failure handled |
//! | `tree_state(id)` | `closing, failed, finished, completed, children` |
//! | `tree_children(id)` | the numbers of its attached, uncompleted children |
//! | `tree_set_hooks(t)` | `t.close`, `t.child_failed`, `t.completed`; returns the previous table |

use mlua::prelude::*;
use plenary_async::scope::tree::{Hooks, Node};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

/// Hashes a node number with one multiplication: the numbers are ours
/// (consecutive, never chosen by an attacker), so SipHash's protection is
/// not needed on this hot path (a lookup per tree call).
#[derive(Default)]
struct NumberHasher(u64);

impl Hasher for NumberHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type Nodes = HashMap<u64, Node, BuildHasherDefault<NumberHasher>>;

thread_local! {
    /// Nodes that have not completed, by number.
    static NODES: RefCell<Nodes> = RefCell::new(Nodes::default());

    static NEXT: Cell<u64> = const { Cell::new(0) };
    /// A node whose `completed` hook is held back, its number negated if
    /// it failed (0: none): sent before the next hook, or returned by
    /// `tree_finish`.
    static DEFERRED: Cell<i64> = const { Cell::new(0) };
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

/// Sends the completion held back, if any, to its hook.
fn flush() {
    complete(DEFERRED.replace(0));
}

/// Calls the `completed` hook for a held-back completion (`c`: a node's
/// number, negated if it failed; 0: none).
fn complete(c: i64) {
    if c != 0 {
        call(|f| &f.completed, (c.unsigned_abs(), c < 0));
    }
}

/// A completion as `DEFERRED` holds it.
fn held(id: u64, failed: bool) -> i64 {
    // (Node numbers count up from 1 and stay far below 2^53, Lua's exact
    // integers.)
    let id = id as i64;
    if failed {
        -id
    } else {
        id
    }
}

/// A node's hooks: its number (known before the tree can call a hook: a
/// node made under a closing parent is closed before `child` returns).
struct LuaHooks(u64);

impl Hooks for LuaHooks {
    fn close(&self, _: &Node) {
        flush();
        call(|f| &f.close, self.0);
    }
    fn child_failed(&self, _: &Node, child: &Node) {
        flush();
        call(|f| &f.child_failed, (self.0, id_of(child)));
    }
    fn completed(&self, node: &Node) {
        NODES.with(|n| n.borrow_mut().remove(&self.0));
        flush();
        DEFERRED.set(held(self.0, node.is_failed()));
    }
}

/// A new node under `parent` (0: top-level). Under a closing parent it is
/// closed at once, before Lua knows its number: the close hook then finds
/// no task for it, and the Lua side closes a task made under a closing
/// parent itself.
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
        lua.create_function(|_, parent: u64| {
            let id = new_node(parent);
            flush();
            id
        })?,
    )?;
    core.set(
        "tree_completed",
        lua.create_function(|_, c: i64| {
            complete(c);
            Ok(())
        })?,
    )?;
    core.set(
        "tree_finish",
        lua.create_function(|_, (id, failed, observed): (u64, bool, bool)| {
            if let Some(n) = node(id) {
                if observed {
                    n.observe();
                }
                n.finish(failed);
            }
            Ok(DEFERRED.replace(0))
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
                flush();
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
