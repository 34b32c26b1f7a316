//! The task tree: who owns whom, and what closing and failing do to the
//! owned.
//!
//! Structured concurrency ([`scope`](super::scope)) rests on four rules,
//! which this module keeps and nothing else:
//!
//! 1. **Ownership.** A [`Node`] made with [`Node::child`] is attached to its
//!    parent until it completes.
//! 2. **Completion after children.** A node *completes* once its own work
//!    has [`finish`](Node::finish)ed and every attached child has completed.
//! 3. **Failure flows up.** A child that completes failed fails its
//!    parent: the parent's
//!    other children are closed, and the parent is told
//!    ([`Hooks::child_failed`]) so that it stops its own work.
//! 4. **Close flows down.** [`close`](Node::close) closes the children
//!    first, depth first, then the node's own work ([`Hooks::close`]).
//!
//! A node carries no value and no error: what its work is, and what
//! closing it or failing means, belongs to its owner, through [`Hooks`].
//! A scope's hooks abort runtime tasks. The Lua module keeps the same
//! rules in `lua/plenary_async/tree.lua`, for its `vim_async` tasks: both
//! run the cases of `tree_cases.txt` (the unit test `the_shared_cases`
//! and tests/lua/tree_spec.lua) and must make exactly the hook calls it
//! lists. The tree is single-threaded (`Rc`), like the runtime.
//!
//! Hooks run after the tree's own bookkeeping, with no borrow held: they
//! may call back into the tree (a close hook that finishes its node at
//! once is the common case).

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::{Rc, Weak};

/// What a node's owner does when the tree acts on it. Every method is
/// called at most once per node.
pub trait Hooks {
    /// Stop this node's own work (its attached children are closed
    /// already). The work ends later or at once by calling
    /// [`Node::finish`]. Not called if the work had finished.
    fn close(&self, node: &Node);

    /// An attached child completed failed: `node` now fails
    /// (its other children were closed) and should stop its own work and
    /// [`finish`](Node::finish) failed. Called for the first such child
    /// only, and not if the node's own work had finished.
    fn child_failed(&self, node: &Node, child: &Node) {
        let _ = (node, child);
    }

    /// The node completed: its work finished and its attached children
    /// completed.
    fn completed(&self, node: &Node) {
        let _ = node;
    }
}

/// A node of the task tree (a cheap, shared handle).
#[derive(Clone)]
pub struct Node(Rc<Inner>);

struct Inner {
    parent: RefCell<Weak<Inner>>,
    /// Attached children that have not completed, in the order they were made.
    children: RefCell<Vec<Node>>,
    /// The node's own work finished.
    finished: Cell<bool>,
    /// Its own work failed, or a child's failure reached it.
    failed: Cell<bool>,
    closing: Cell<bool>,
    completed: Cell<bool>,
    hooks: Rc<dyn Hooks>,
}

impl Node {
    /// A node with no parent (top-level work).
    pub fn new(hooks: Rc<dyn Hooks>) -> Node {
        Node(Rc::new(Inner {
            parent: RefCell::new(Weak::new()),
            children: RefCell::new(Vec::new()),
            finished: Cell::new(false),
            failed: Cell::new(false),
            closing: Cell::new(false),
            completed: Cell::new(false),
            hooks,
        }))
    }

    /// A node attached to this one. Made under a node that is closing (or
    /// failing), it is closed at once: its hooks' `close` runs before
    /// `child` returns.
    pub fn child(&self, hooks: Rc<dyn Hooks>) -> Node {
        let child = Node::new(hooks);
        *child.0.parent.borrow_mut() = Rc::downgrade(&self.0);
        self.0.children.borrow_mut().push(child.clone());
        if self.0.closing.get() || self.0.failed.get() || self.0.completed.get() {
            child.close();
        }
        child
    }

    /// Closes the attached children (depth first, in the order they were
    /// made), then this node's own work ([`Hooks::close`], unless it has
    /// finished). Does nothing if the node is closing or completed.
    pub fn close(&self) {
        let inner = &self.0;
        if inner.closing.get() || inner.completed.get() {
            return;
        }
        inner.closing.set(true);
        self.close_children();
        if !inner.finished.get() {
            inner.hooks.clone().close(self);
        }
    }

    fn close_children(&self) {
        let children = self.0.children.borrow().clone();
        for child in children {
            child.close();
        }
    }

    /// This node's own work is over (`failed`: it failed). If the node
    /// failed, its attached children are closed. The node completes now if
    /// no attached child is left, else when the last one completes. Only
    /// the first call counts.
    pub fn finish(&self, failed: bool) {
        let inner = &self.0;
        if inner.finished.replace(true) {
            return;
        }
        if failed {
            inner.failed.set(true);
            self.close_children();
        }
        self.try_complete();
    }

    fn remove_child(&self, child: &Node) {
        let mut children = self.0.children.borrow_mut();
        if let Some(i) = children.iter().position(|c| Rc::ptr_eq(&c.0, &child.0)) {
            children.remove(i);
        }
    }

    fn try_complete(&self) {
        let inner = &self.0;
        if inner.completed.get() || !inner.finished.get() || !inner.children.borrow().is_empty() {
            return;
        }
        inner.completed.set(true);
        inner.hooks.clone().completed(self);
        let parent = std::mem::take(&mut *inner.parent.borrow_mut());
        if let Some(parent) = parent.upgrade() {
            let parent = Node(parent);
            parent.remove_child(self);
            if inner.failed.get() {
                parent.child_failed(self);
            }
            parent.try_complete();
        }
    }

    /// The failure of `child` reaches this node.
    fn child_failed(&self, child: &Node) {
        let inner = &self.0;
        if inner.failed.replace(true) {
            return; // a failure already reached it
        }
        self.close_children();
        if !inner.finished.get() {
            inner.hooks.clone().child_failed(self, child);
        }
    }

    /// The parent this node is attached to.
    #[cfg(test)]
    pub fn parent(&self) -> Option<Node> {
        self.0.parent.borrow().upgrade().map(Node)
    }

    /// The attached children that have not completed, in the order they
    /// were made.
    pub fn children(&self) -> Vec<Node> {
        self.0.children.borrow().clone()
    }

    /// Whether [`close`](Node::close) was called on it or on an ancestor.
    pub fn is_closing(&self) -> bool {
        self.0.closing.get()
    }

    /// Whether its own work failed, or a child's failure reached it.
    #[cfg(test)]
    pub fn is_failed(&self) -> bool {
        self.0.failed.get()
    }

    /// Whether its own work finished ([`finish`](Node::finish)).
    #[cfg(test)]
    pub fn is_finished(&self) -> bool {
        self.0.finished.get()
    }

    /// Whether it completed: its work finished and its children completed.
    pub fn is_completed(&self) -> bool {
        self.0.completed.get()
    }

    /// Whether two handles are the same node.
    #[cfg(test)]
    pub fn ptr_eq(&self, other: &Node) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("children", &self.0.children.borrow().len())
            .field("finished", &self.0.finished.get())
            .field("failed", &self.0.failed.get())
            .field("closing", &self.0.closing.get())
            .field("completed", &self.0.completed.get())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records every hook call as "<event> <name>"; `close` finishes the
    /// node at once when `stop_on_close`.
    struct Rec {
        log: Rc<RefCell<Vec<String>>>,
        name: &'static str,
        stop_on_close: bool,
    }

    impl Hooks for Rec {
        fn close(&self, node: &Node) {
            self.log.borrow_mut().push(format!("close {}", self.name));
            if self.stop_on_close {
                node.finish(false);
            }
        }
        fn child_failed(&self, node: &Node, _child: &Node) {
            self.log
                .borrow_mut()
                .push(format!("child_failed {}", self.name));
            node.finish(true);
        }
        fn completed(&self, _: &Node) {
            self.log
                .borrow_mut()
                .push(format!("completed {}", self.name));
        }
    }

    fn rec(
        log: &Rc<RefCell<Vec<String>>>,
        name: &'static str,
        stop_on_close: bool,
    ) -> Rc<dyn Hooks> {
        Rc::new(Rec {
            log: log.clone(),
            name,
            stop_on_close,
        })
    }

    fn taken(log: &Rc<RefCell<Vec<String>>>) -> Vec<String> {
        std::mem::take(&mut *log.borrow_mut())
    }

    #[test]
    fn a_parent_completes_after_its_children() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let root = Node::new(rec(&log, "root", true));
        let a = root.child(rec(&log, "a", true));
        let b = root.child(rec(&log, "b", true));
        root.finish(false);
        assert!(root.is_finished() && !root.is_completed());
        b.finish(false);
        a.finish(false);
        assert_eq!(
            taken(&log),
            ["completed b", "completed a", "completed root"]
        );
        assert!(root.children().is_empty());
    }

    #[test]
    fn close_goes_depth_first_children_before_their_parent() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let root = Node::new(rec(&log, "root", true));
        let a = root.child(rec(&log, "a", true));
        let _a1 = a.child(rec(&log, "a1", true));
        let _b = root.child(rec(&log, "b", true));
        root.close();
        assert_eq!(
            taken(&log),
            [
                "close a1",
                "completed a1",
                "close a",
                "completed a",
                "close b",
                "completed b",
                "close root",
                "completed root"
            ]
        );
        root.close(); // once only
        assert!(taken(&log).is_empty());
    }

    #[test]
    fn close_waits_for_work_that_stops_later() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let root = Node::new(rec(&log, "root", true));
        let slow = root.child(rec(&log, "slow", false));
        root.close();
        assert_eq!(taken(&log), ["close slow", "close root"]);
        assert!(slow.is_closing() && !root.is_completed());
        slow.finish(false); // its cleanup is over
        assert_eq!(taken(&log), ["completed slow", "completed root"]);
    }

    #[test]
    fn a_child_failure_fails_the_parent_and_closes_the_siblings() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let root = Node::new(rec(&log, "root", false));
        let bad = root.child(rec(&log, "bad", true));
        let _sibling = root.child(rec(&log, "sibling", true));
        bad.finish(true);
        assert_eq!(
            taken(&log),
            [
                "completed bad",
                "close sibling",
                "completed sibling",
                "child_failed root",
                "completed root"
            ]
        );
        assert!(root.is_failed() && root.is_completed());
    }

    #[test]
    fn a_failure_travels_up_through_every_level() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let root = Node::new(rec(&log, "root", false));
        let mid = root.child(rec(&log, "mid", false));
        let leaf = mid.child(rec(&log, "leaf", false));
        leaf.finish(true);
        assert_eq!(
            taken(&log),
            [
                "completed leaf",
                "child_failed mid",
                "completed mid",
                "child_failed root",
                "completed root"
            ]
        );
    }

    #[test]
    fn a_child_made_under_a_closing_node_is_closed_at_once() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let root = Node::new(rec(&log, "root", false));
        root.close();
        let late = root.child(rec(&log, "late", true));
        assert!(late.is_completed());
        assert_eq!(taken(&log), ["close root", "close late", "completed late"]);
    }

    #[test]
    fn the_tree_frees_itself() {
        // Parents are weak: dropping the handles frees every node (Miri's
        // leak check).
        let log = Rc::new(RefCell::new(Vec::new()));
        let root = Node::new(rec(&log, "root", true));
        let child = root.child(rec(&log, "child", true));
        let _grandchild = child.child(rec(&log, "grandchild", true));
        drop(child);
        drop(root);
    }

    // The examples that documented each item when the module was public.

    /// Work that stops at once when closed.
    struct H;
    impl Hooks for H {
        fn close(&self, n: &Node) {
            n.finish(false)
        }
    }

    #[test]
    fn example_of_module() {
        use std::{cell::RefCell, rc::Rc};

        /// Records what happens to a node.
        struct Log(Rc<RefCell<Vec<String>>>, &'static str);
        impl Hooks for Log {
            fn close(&self, node: &Node) {
                self.0.borrow_mut().push(format!("close {}", self.1));
                node.finish(false); // this work stops at once
            }
            fn completed(&self, _: &Node) {
                self.0.borrow_mut().push(format!("completed {}", self.1));
            }
        }

        let log = Rc::new(RefCell::new(Vec::new()));
        let root = Node::new(Rc::new(Log(log.clone(), "root")));
        let child = root.child(Rc::new(Log(log.clone(), "child")));
        root.finish(false); // the root's own work is done; its child's is not
        assert!(!root.is_completed());
        root.close(); // closes the child (the root's own work is over)
        assert_eq!(
            *log.borrow(),
            ["close child", "completed child", "completed root"]
        );
        assert!(child.is_completed() && root.is_completed());
    }

    #[test]
    fn example_of_hooks() {
        struct Nothing;
        impl Hooks for Nothing {
            fn close(&self, node: &Node) {
                node.finish(false);
            }
        }
        let node = Node::new(std::rc::Rc::new(Nothing));
        node.close();
        assert!(node.is_completed());
    }

    #[test]
    fn example_of_new() {
        let root = Node::new(std::rc::Rc::new(H));
        assert!(root.parent().is_none());
    }

    #[test]
    fn example_of_child() {
        let root = Node::new(std::rc::Rc::new(H));
        let child = root.child(std::rc::Rc::new(H));
        assert!(child.parent().is_some());
    }

    #[test]
    fn example_of_close() {
        let root = Node::new(std::rc::Rc::new(H));
        root.close();
        assert!(root.is_closing() && root.is_completed());
    }

    #[test]
    fn example_of_finish() {
        let node = Node::new(std::rc::Rc::new(H));
        node.finish(true);
        assert!(node.is_completed() && node.is_failed());
    }

    #[test]
    fn example_of_parent() {
        let root = Node::new(std::rc::Rc::new(H));
        let child = root.child(std::rc::Rc::new(H));
        assert!(child.parent().unwrap().ptr_eq(&root));
    }

    #[test]
    fn example_of_children() {
        let root = Node::new(std::rc::Rc::new(H));
        let a = root.child(std::rc::Rc::new(H));
        let b = root.child(std::rc::Rc::new(H));
        a.finish(false);
        assert!(root.children()[0].ptr_eq(&b));
    }

    #[test]
    fn example_of_is_closing() {
        /// Work that goes on after it is closed.
        struct Lingers;
        impl Hooks for Lingers {
            fn close(&self, _: &Node) {}
        }
        let root = Node::new(std::rc::Rc::new(Lingers));
        let child = root.child(std::rc::Rc::new(Lingers));
        root.close();
        assert!(child.is_closing() && !child.is_completed()); // its work has not stopped yet
    }

    #[test]
    fn example_of_is_failed() {
        let parent = Node::new(std::rc::Rc::new(H));
        parent.child(std::rc::Rc::new(H)).finish(true);
        assert!(parent.is_failed());
    }

    #[test]
    fn example_of_is_finished() {
        let node = Node::new(std::rc::Rc::new(H));
        let _child = node.child(std::rc::Rc::new(H));
        node.finish(false);
        assert!(node.is_finished() && !node.is_completed());
    }

    #[test]
    fn example_of_is_completed() {
        let node = Node::new(std::rc::Rc::new(H));
        assert!(!node.is_completed());
        node.finish(false);
        assert!(node.is_completed());
    }

    #[test]
    fn example_of_ptr_eq() {
        let node = Node::new(std::rc::Rc::new(H));
        assert!(node.ptr_eq(&node.clone()));
    }

    /// A node of a shared case: its close hook records and, unless it
    /// lingers, finishes the node; its child_failed hook records and fails
    /// the node's work. Nodes are named through `names` (their address).
    struct CaseHooks {
        log: Rc<RefCell<Vec<String>>>,
        names: Rc<RefCell<Vec<(usize, String)>>>,
        name: String,
        linger: bool,
    }

    fn address(node: &Node) -> usize {
        Rc::as_ptr(&node.0) as *const () as usize
    }

    impl Hooks for CaseHooks {
        fn close(&self, node: &Node) {
            self.log.borrow_mut().push(format!("close {}", self.name));
            if !self.linger {
                node.finish(false);
            }
        }
        fn child_failed(&self, node: &Node, child: &Node) {
            let child_name = self
                .names
                .borrow()
                .iter()
                .find(|(a, _)| *a == address(child))
                .map(|(_, n)| n.clone())
                .unwrap();
            self.log
                .borrow_mut()
                .push(format!("child_failed {} {child_name}", self.name));
            node.finish(true);
        }
        fn completed(&self, node: &Node) {
            let outcome = if node.is_failed() { "failed" } else { "ok" };
            self.log
                .borrow_mut()
                .push(format!("completed {} {outcome}", self.name));
        }
    }

    /// The rules as cases the Lua module's tree runs too
    /// (`tree_cases.txt`; tests/lua/tree_spec.lua): each step's hook calls,
    /// exactly.
    #[test]
    fn the_shared_cases() {
        let text = include_str!("tree_cases.txt");
        // A case: its name and steps, each a line and the events it makes.
        type Case = (String, Vec<(String, Vec<String>)>);
        let mut cases: Vec<Case> = Vec::new();
        for line in text.lines() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix("== ") {
                cases.push((name.to_owned(), Vec::new()));
            } else if let Some(event) = line.strip_prefix("> ") {
                let steps = &mut cases.last_mut().unwrap().1;
                steps.last_mut().unwrap().1.push(event.to_owned());
            } else {
                cases
                    .last_mut()
                    .unwrap()
                    .1
                    .push((line.to_owned(), Vec::new()));
            }
        }
        assert!(cases.len() >= 10, "{} cases", cases.len());
        for (case, steps) in cases {
            let log = Rc::new(RefCell::new(Vec::new()));
            let names = Rc::new(RefCell::new(Vec::new()));
            let mut nodes: Vec<(String, Node)> = Vec::new();
            for (step, expected) in steps {
                let words: Vec<&str> = step.split_whitespace().collect();
                let node = |name: &str| {
                    nodes
                        .iter()
                        .find(|(n, _)| n == name)
                        .map(|(_, node)| node.clone())
                        .unwrap()
                };
                match words[..] {
                    ["new", name, ref rest @ ..] => {
                        let linger = rest.last() == Some(&"linger");
                        let parent = rest.first().filter(|p| **p != "linger");
                        let hooks = Rc::new(CaseHooks {
                            log: log.clone(),
                            names: names.clone(),
                            name: name.to_owned(),
                            linger,
                        });
                        // (Named before it is made: a node made under a
                        // closing parent is closed inside `child`.)
                        let made = match parent {
                            Some(p) => node(p).child(hooks),
                            None => Node::new(hooks),
                        };
                        names.borrow_mut().push((address(&made), name.to_owned()));
                        nodes.push((name.to_owned(), made));
                    }
                    ["finish", name] => node(name).finish(false),
                    ["fail", name] => node(name).finish(true),
                    ["close", name] => node(name).close(),
                    _ => panic!("{case}: unknown step {step:?}"),
                }
                assert_eq!(taken(&log), expected, "{case}: {step}");
            }
        }
    }
}
