//! A FIFO queue of waiting futures, shared by every primitive in `control`.
//!
//! Each waiter is a node in a doubly linked list whose nodes live in one
//! `Slab`: joining the queue, leaving it from the middle (a future dropped
//! while it waits) and serving the front are all O(1), with no allocation
//! once the slab has grown to the largest number of waiters seen.
//!
//! A waiter's node outlives its place in the queue: the primitive *serves* a
//! waiter by unlinking its node and leaving an outcome in it (a permit, a
//! notification, the slot its value went into), then wakes it. The waiting
//! future finds the outcome when it is polled, or, if it is dropped first,
//! hands what it was given back to the primitive. That is how a permit or a
//! notification is never lost to a cancelled waiter, and why a waiter that
//! was served is never served twice.
//!
//! Wakers are returned to the caller, never called here: the primitives call
//! them after releasing their `RefCell` borrow, so that a waker that polls
//! synchronously cannot re-enter a borrowed primitive.

use slab::Slab;
use std::task::Waker;

const NIL: usize = usize::MAX;

/// A waiter's key in its [`WaitList`].
pub(crate) type Key = usize;

struct Node<P> {
    waker: Option<Waker>,
    /// What the waiter left with the queue (a bounded sender's value), taken
    /// by whoever serves it.
    payload: Option<P>,
    linked: bool,
    prev: usize,
    next: usize,
}

/// The queue. `P` is what a waiter may deposit while it waits (`()` for
/// most primitives, the value for a bounded sender).
pub(crate) struct WaitList<P> {
    nodes: Slab<Node<P>>,
    head: usize,
    tail: usize,
    linked: usize,
}

impl<P> Default for WaitList<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P> WaitList<P> {
    pub(crate) const fn new() -> Self {
        WaitList {
            nodes: Slab::new(),
            head: NIL,
            tail: NIL,
            linked: 0,
        }
    }

    /// How many waiters are queued (not counting served ones).
    pub(crate) fn len(&self) -> usize {
        self.linked
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.linked == 0
    }

    /// Queues a waiter at the back.
    pub(crate) fn push_back(&mut self, waker: Waker, payload: Option<P>) -> Key {
        let key = self.nodes.insert(Node {
            waker: Some(waker),
            payload,
            linked: true,
            prev: self.tail,
            next: NIL,
        });
        match self.tail {
            NIL => self.head = key,
            tail => self.nodes[tail].next = key,
        }
        self.tail = key;
        self.linked += 1;
        key
    }

    /// Whether `key` still waits in the queue (false once it was served).
    pub(crate) fn is_linked(&self, key: Key) -> bool {
        self.nodes[key].linked
    }

    /// Replaces the waiter's waker if the task polling it changed.
    pub(crate) fn set_waker(&mut self, key: Key, waker: &Waker) {
        let slot = &mut self.nodes[key].waker;
        match slot {
            Some(w) if w.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
    }

    /// Serves the longest-waiting waiter: unlinks it and returns its key,
    /// its deposit and its waker (to be woken by the caller).
    pub(crate) fn serve_front(&mut self) -> Option<(Key, Option<P>, Option<Waker>)> {
        let key = self.head;
        if key == NIL {
            return None;
        }
        self.unlink(key);
        let node = &mut self.nodes[key];
        Some((key, node.payload.take(), node.waker.take()))
    }

    /// Hands one unit (a permit, a notification) to the longest waiter, or
    /// adds it to `bank` if nobody waits. Returns the waker to call.
    pub(crate) fn hand_over(&mut self, bank: &mut usize) -> Option<Waker> {
        match self.serve_front() {
            Some((_, _, waker)) => waker,
            None => {
                *bank += 1;
                None
            }
        }
    }

    /// Leaves something with a waiter (served or not) for its future to find.
    pub(crate) fn set_payload(&mut self, key: Key, payload: P) {
        self.nodes[key].payload = Some(payload);
    }

    /// Takes the waker of every queued waiter, leaving them queued: used when
    /// the primitive closes, so that each waiter polls, sees it, and leaves.
    pub(crate) fn take_wakers(&mut self) -> Vec<Waker> {
        let mut wakers = Vec::with_capacity(self.linked);
        let mut key = self.head;
        while key != NIL {
            let node = &mut self.nodes[key];
            wakers.extend(node.waker.take());
            key = node.next;
        }
        wakers
    }

    /// Serves every queued waiter at once (in FIFO order) and returns their
    /// wakers.
    pub(crate) fn serve_all(&mut self) -> Vec<Waker> {
        let mut wakers = Vec::with_capacity(self.linked);
        let mut key = self.head;
        while key != NIL {
            let node = &mut self.nodes[key];
            node.linked = false;
            wakers.extend(node.waker.take());
            key = node.next;
        }
        self.head = NIL;
        self.tail = NIL;
        self.linked = 0;
        wakers
    }

    /// Forgets a waiter (its future completed or was dropped); returns
    /// whether it had been served, and its deposit if it still held one.
    pub(crate) fn remove(&mut self, key: Key) -> (bool, Option<P>) {
        let served = !self.nodes[key].linked;
        if !served {
            self.unlink(key);
        }
        let node = self.nodes.remove(key);
        (served, node.payload)
    }

    fn unlink(&mut self, key: Key) {
        let (prev, next) = {
            let node = &mut self.nodes[key];
            debug_assert!(node.linked);
            node.linked = false;
            (node.prev, node.next)
        };
        match prev {
            NIL => self.head = next,
            p => self.nodes[p].next = next,
        }
        match next {
            NIL => self.tail = prev,
            n => self.nodes[n].prev = prev,
        }
        self.linked -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noop() -> Waker {
        Waker::noop().clone()
    }

    #[test]
    fn serves_in_fifo_order_and_skips_removed_waiters() {
        let mut list = WaitList::<u32>::new();
        let a = list.push_back(noop(), Some(1));
        let b = list.push_back(noop(), Some(2));
        let c = list.push_back(noop(), Some(3));
        assert_eq!(list.len(), 3);
        assert_eq!(list.remove(b), (false, Some(2)));
        let (k, p, w) = list.serve_front().unwrap();
        assert_eq!((k, p, w.is_some()), (a, Some(1), true));
        assert!(!list.is_linked(a));
        assert_eq!(list.remove(a), (true, None));
        assert_eq!(list.serve_front().unwrap().1, Some(3));
        assert!(list.serve_front().is_none());
        assert!(list.is_empty());
        assert_eq!(list.remove(c), (true, None));
        // The list is reusable after emptying.
        let d = list.push_back(noop(), None);
        assert_eq!(list.serve_front().unwrap().0, d);
    }

    #[test]
    fn removing_the_tail_and_head_keeps_links_right() {
        let mut list = WaitList::<()>::new();
        let keys: Vec<_> = (0..5).map(|_| list.push_back(noop(), None)).collect();
        list.remove(keys[4]);
        list.remove(keys[0]);
        list.remove(keys[2]);
        let order: Vec<_> = std::iter::from_fn(|| list.serve_front().map(|s| s.0)).collect();
        assert_eq!(order, vec![keys[1], keys[3]]);
    }
}
