//! The runtime's timers: a binary heap of deadlines in one contiguous `Vec`,
//! and a single libuv timer started for the earliest one.
//!
//! A libuv timer per sleep would cost a handle allocation and a walk of
//! libuv's pointer-linked timer heap per sleep; with 100,000 sleeps the
//! cache misses of that heap dominate. Here a sleep is a slab entry and a
//! heap element. Dropping a sleep removes its entry; its heap element goes
//! stale and is skipped when popped (the heap is compacted when stale
//! elements outnumber live ones).

use super::timer_handle::Timer;
use slab::Slab;
use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

struct Entry {
    deadline: Instant,
    waker: Option<Waker>,
    fired: bool,
}

pub(crate) struct Timers {
    timer: Timer,
    entries: RefCell<Slab<Entry>>,
    heap: RefCell<BinaryHeap<Reverse<(Instant, usize)>>>,
    /// The deadline the libuv timer is started for, if it is.
    armed_for: Cell<Option<Instant>>,
}

/// Milliseconds from `now` until `deadline`, rounded up.
fn millis_until(deadline: Instant, now: Instant) -> u64 {
    let left = deadline.saturating_duration_since(now);
    let ms = left.as_millis() + u128::from(left.subsec_nanos() % 1_000_000 != 0);
    ms.min(u128::from(u64::MAX)) as u64
}

impl Timers {
    pub(super) fn new(timer: Timer) -> Timers {
        Timers {
            timer,
            entries: RefCell::new(Slab::new()),
            heap: RefCell::new(BinaryHeap::new()),
            armed_for: Cell::new(None),
        }
    }

    /// Registers a deadline; returns its key.
    pub(crate) fn insert(&self, deadline: Instant) -> usize {
        let key = self.entries.borrow_mut().insert(Entry {
            deadline,
            waker: None,
            fired: false,
        });
        let mut heap = self.heap.borrow_mut();
        heap.push(Reverse((deadline, key)));
        let live = self.entries.borrow().len();
        if heap.len() > 2 * live + 1024 {
            let entries = self.entries.borrow();
            heap.retain(|Reverse((d, k))| {
                entries
                    .get(*k)
                    .is_some_and(|e| e.deadline == *d && !e.fired)
            });
        }
        drop(heap);
        if self.armed_for.get().is_none_or(|armed| deadline < armed) {
            self.arm(deadline, Instant::now());
        }
        key
    }

    /// `Ready` once the deadline of `key` has passed; otherwise stores the waker.
    pub(crate) fn poll(&self, key: usize, cx: &mut Context<'_>) -> Poll<()> {
        let mut entries = self.entries.borrow_mut();
        let entry = &mut entries[key];
        if entry.fired {
            return Poll::Ready(());
        }
        match &entry.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => entry.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    pub(crate) fn remove(&self, key: usize) {
        let removed = self.entries.borrow_mut().try_remove(key);
        drop(removed); // (its waker is dropped outside the borrow)
        if self.entries.borrow().is_empty() {
            // Nothing left to wait for: do not keep the loop alive.
            self.heap.borrow_mut().clear();
            self.timer.stop();
            self.armed_for.set(None);
        }
    }

    fn arm(&self, deadline: Instant, now: Instant) {
        self.armed_for.set(Some(deadline));
        self.timer.start(millis_until(deadline, now));
    }

    /// The libuv timer fired: wake every sleep whose deadline has passed
    /// and start the timer for the next one.
    pub(crate) fn fire(&self) {
        self.armed_for.set(None);
        let now = Instant::now();
        let mut due = Vec::new();
        {
            let mut heap = self.heap.borrow_mut();
            let mut entries = self.entries.borrow_mut();
            while let Some(&Reverse((deadline, key))) = heap.peek() {
                if deadline > now {
                    break;
                }
                heap.pop();
                if let Some(entry) = entries.get_mut(key) {
                    if entry.deadline == deadline && !entry.fired {
                        entry.fired = true;
                        due.extend(entry.waker.take());
                    }
                }
            }
        }
        let next = self.heap.borrow().peek().map(|Reverse((d, _))| *d);
        if let Some(next) = next {
            self.arm(next, now);
        }
        // A panicking waker (user code) must not keep the others asleep:
        // wake them all, then let the first panic go on to the callback's
        // guard, which reports it.
        let mut panic = None;
        for waker in due {
            if let Err(p) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| waker.wake()))
            {
                panic.get_or_insert(p);
            }
        }
        if let Some(p) = panic {
            std::panic::resume_unwind(p);
        }
    }
}
