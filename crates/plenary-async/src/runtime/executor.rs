//! The executor's core: the run queue, the task cells, spawning, waking,
//! the budget, cancellation and the dropping of every task at shutdown.
//! No libuv here: what drives the executor is a [`Driver`], told when work
//! is queued outside a tick, which then calls [`Executor::tick`] (the
//! libuv driver is `runtime::driver`; the tests' driver is a counter). So
//! this module, `control/` and the pure parts of `util/` run under Miri.
//!
//! A task is a cell of our own (`cell.rs`: plain `Cell`s for the owning
//! thread, atomics only for wakers used on other threads) whose wakes
//! push its runnable onto the run queue of this thread's executor, or,
//! from another thread, post a message to the executor's [`Remote`]
//! queue, which the next tick delivers.
//!
//! The executor's state, and who touches it:
//!
//! | field | meaning | set by |
//! |---|---|---|
//! | `queue` | runnables made ready by the tasks themselves, FIFO | `push_local`: spawns, wakes while a tick polls |
//! | `events` | runnables woken by an event from outside the polls, FIFO | `push_event`: a libuv callback (timer, I/O), the host, another thread (delivered by `tick`) |
//! | `deferred` | wakers of tasks that yielded to the loop (`util::scheduler`) | `defer`; woken at the start of the next tick |
//! | `active` | a waker of every task that has waited once and not ended (one that ends at its first poll never enters) | a task's first wait (insert), its end (remove); shutdown wakes them all to drop them |
//! | `draining` | a tick (or an eager first poll) is polling tasks now | `tick`, `spawn_inner`; while set, wakes queue without arming the driver |
//! | `shutting_down` | every task is being dropped; `spawn` gives canceled tasks | `drop_all_tasks`, once |
//!
//! Everything is `Cell`/`RefCell`: the executor is only ever shared
//! (`&Executor`), also while task code re-enters it through the
//! thread-local's pointer.

use super::cell;
use super::remote::Remote;
use super::task::{self, Task};
use crate::JoinError;
use slab::Slab;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::panic::Location;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Waker;

/// A scheduled task (see `cell.rs`).
pub(crate) type Runnable = cell::Runnable;

/// The executor's handle to a task (see `cell.rs`).
pub(crate) type RawTask<T> = cell::TaskHandle<T>;
type ErrorHandler = Rc<dyn Fn(JoinError)>;

/// Tasks polled per tick before control goes back to the driver.
///
/// ```
/// assert_eq!(plenary_async::runtime::DEFAULT_BUDGET, 128);
/// ```
pub const DEFAULT_BUDGET: usize = 128;

/// What drives an [`Executor`]: it is told when work is queued outside a
/// tick and arranges for [`Executor::tick`] to be called soon.
pub(crate) trait Driver {
    /// Work was queued while no tick runs: make sure one runs soon.
    fn arm(&self);
    /// A tick starts: an earlier arming is used up.
    fn disarm(&self);
    /// A tick (or an eager first poll) left work queued. Drivers that call
    /// `tick` from a loop of their own (standalone `block_on`) need nothing;
    /// the others arm again.
    fn work_left(&self) {
        self.arm();
    }
    /// Whether `arm` may call into the host (user code: a hook that may
    /// do anything, detach the runtime included).
    fn calls_host(&self) -> bool {
        false
    }
}

/// The run queue and the task cells (see the module documentation).
pub(crate) struct Executor {
    queue: RefCell<VecDeque<Runnable>>,
    events: RefCell<VecDeque<Runnable>>,
    /// `events.len()`, read without borrowing on the hot path.
    n_events: Cell<usize>,
    deferred: RefCell<Vec<Waker>>,
    active: RefCell<Slab<Waker>>,
    remote: Arc<Remote>,
    driver: Rc<dyn Driver>,
    draining: Cell<bool>,
    shutting_down: Cell<bool>,
    /// The driver's arming may call a host's hook (`Driver::calls_host`,
    /// read once).
    calls_host: bool,
    budget: Cell<usize>,
    error_handler: RefCell<Option<ErrorHandler>>,
}

/// Clears a flag when dropped (also by a panic).
struct Reset<'a>(&'a Cell<bool>);

impl Drop for Reset<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

impl Executor {
    pub(crate) fn new(driver: Rc<dyn Driver>, remote: Arc<Remote>) -> Executor {
        Executor {
            calls_host: driver.calls_host(),
            queue: RefCell::new(VecDeque::with_capacity(256)),
            events: RefCell::new(VecDeque::with_capacity(256)),
            n_events: Cell::new(0),
            deferred: RefCell::new(Vec::new()),
            active: RefCell::new(Slab::new()),
            remote,
            driver,
            draining: Cell::new(false),
            shutting_down: Cell::new(false),
            budget: Cell::new(DEFAULT_BUDGET),
            error_handler: RefCell::new(None),
        }
    }

    pub(crate) fn remote(&self) -> &Arc<Remote> {
        &self.remote
    }

    pub(crate) fn budget(&self) -> usize {
        self.budget.get()
    }

    pub(crate) fn set_budget(&self, budget: usize) {
        self.budget.set(budget);
    }

    pub(crate) fn set_error_handler(&self, handler: ErrorHandler) {
        *self.error_handler.borrow_mut() = Some(handler);
    }

    pub(crate) fn queued(&self) -> usize {
        self.queue.borrow().len() + self.n_events.get()
    }

    #[inline]
    pub(crate) fn is_draining(&self) -> bool {
        self.draining.get()
    }

    /// Whether a queued spawn (and a push) runs no user code: no shutdown
    /// is under way (that drops the future), and pushing cannot call a
    /// host's hook (the queue is being drained, or the driver has none).
    /// Then a caller may use this executor through a plain borrow.
    #[inline]
    pub(crate) fn spawns_quietly(&self) -> bool {
        !self.shutting_down.get() && (self.draining.get() || !self.calls_host)
    }

    /// Pushes a task made ready by the tasks themselves: spawned, or woken
    /// while a tick polls.
    #[inline]
    pub(crate) fn push_local(&self, runnable: Runnable) {
        self.queue.borrow_mut().push_back(runnable);
        if !self.draining.get() {
            self.driver.arm();
        }
    }

    /// Pushes a task woken by an event from outside the polls: a libuv
    /// callback (a timer, I/O), the host, another thread.
    pub(crate) fn push_event(&self, runnable: Runnable) {
        self.events.borrow_mut().push_back(runnable);
        self.n_events.set(self.n_events.get() + 1);
        if !self.draining.get() {
            self.driver.arm();
        }
    }

    fn pop_event(&self) -> Option<Runnable> {
        let next = self.events.borrow_mut().pop_front();
        if next.is_some() {
            self.n_events.set(self.n_events.get() - 1);
        }
        next
    }

    /// Polls up to `budget` queued tasks. The two queues are FIFO and
    /// served in turn while both hold tasks, events first: a burst of
    /// spawns cannot hold a fired timer or finished I/O behind all of it,
    /// nor can a flood of events hold back the tasks' own work. Returns
    /// whether work remains.
    pub(crate) fn tick(&self) -> bool {
        if self.draining.replace(true) {
            // Called from inside a task (a host hook reentering): the outer
            // tick is already draining.
            return true;
        }
        let reset = Reset(&self.draining);
        self.driver.disarm();
        self.deliver_letters();
        if !self.deferred.borrow().is_empty() {
            let deferred = std::mem::take(&mut *self.deferred.borrow_mut());
            deferred.into_iter().for_each(Waker::wake);
        }
        let budget = self.budget.get();
        let mut polled = 0;
        // Events are queued only between ticks (a wake while a tick polls
        // goes to the task queue), so here they can only run out: take
        // the two queues in turn while events remain, then the tasks alone
        // (the hot path, as cheap as one queue).
        while polled < budget && self.n_events.get() != 0 {
            let Some(event) = self.pop_event() else {
                break;
            };
            event.run();
            polled += 1;
            if polled == budget {
                break;
            }
            let next = self.queue.borrow_mut().pop_front();
            if let Some(runnable) = next {
                runnable.run();
                polled += 1;
            }
        }
        while polled < budget {
            let next = self.queue.borrow_mut().pop_front();
            match next {
                Some(runnable) => {
                    runnable.run();
                    polled += 1;
                }
                None => break,
            }
        }
        drop(reset);
        let more = self.has_work();
        if more {
            self.driver.work_left();
        }
        more
    }

    /// Acts on the messages other threads posted (wakes, releases).
    fn deliver_letters(&self) {
        for letter in self.remote.take() {
            letter.deliver(self);
        }
    }

    pub(crate) fn has_work(&self) -> bool {
        !self.queue.borrow().is_empty()
            || self.n_events.get() != 0
            || !self.deferred.borrow().is_empty()
            || self.remote.has_pending()
    }

    /// Spawns `future`; with `eager`, polls it once at once (up to its first
    /// wait) unless a task is being polled already (then it is queued).
    pub(crate) fn spawn<F>(
        &self,
        future: F,
        location: &'static Location<'static>,
        eager: bool,
    ) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        if self.shutting_down.get() {
            drop(future);
            return Task::canceled();
        }
        let future = task::TaskFuture::new(future, location);
        let (runnable, task) = cell::spawn(future, self.remote.clone());
        if eager && !self.draining.get() {
            // Polled like a tick would, so that a task it wakes or spawns is
            // queued rather than run inside this poll.
            self.draining.set(true);
            let reset = Reset(&self.draining);
            runnable.run();
            drop(reset);
            if self.has_work() {
                self.driver.work_left();
            }
        } else {
            self.push_local(runnable);
        }
        Task::new(task)
    }

    /// A task waits for the first time: it enters the registry of waiting
    /// tasks (which shutdown wakes to drop them), under the returned key.
    pub(crate) fn register(&self, waker: &Waker) -> usize {
        self.active.borrow_mut().insert(waker.clone())
    }

    /// A task ended: it leaves the registry of waiting tasks.
    pub(crate) fn forget_task(&self, key: usize) {
        if let Ok(mut active) = self.active.try_borrow_mut() {
            active.try_remove(key);
        }
    }

    /// Wakes `waker` at the start of the next tick (after the loop turned).
    pub(crate) fn defer(&self, waker: Waker) {
        self.deferred.borrow_mut().push(waker);
        if !self.draining.get() {
            self.driver.arm();
        }
    }

    /// Hands an error nobody awaits to the error handler (or stderr). A
    /// panic in the handler is caught and printed with the error: it must
    /// not unwind into the tick, or a libuv callback, that reports.
    pub(crate) fn report(&self, err: JoinError) {
        let handler = self.error_handler.borrow().clone();
        match handler {
            Some(h) => {
                // The text, for the case the handler panics (it owns the
                // error by then).
                let text = err.to_string();
                let call = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| h(err)));
                if let Err(payload) = call {
                    let message = crate::panic_message(&*payload);
                    eprintln!("plenary_async: {text}; the error handler panicked on it: {message}");
                }
            }
            None => eprintln!("plenary_async: {err}"),
        }
    }

    /// Drops every task, including those that only wait on each other, and
    /// closes the remote door. Runs once (then does nothing), through a
    /// shared borrow: the tasks' destructors and wakes re-enter the
    /// executor through the thread-local's pointer.
    pub(crate) fn drop_all_tasks(&self) {
        if self.shutting_down.replace(true) {
            return;
        }
        // Waking a waiting task queues its runnable, and dropping a
        // runnable unrun closes its task (drops its future). Dropping a
        // future may wake or free others, so repeat until quiet.
        loop {
            let wakers: Vec<Waker> = std::mem::take(&mut *self.active.borrow_mut())
                .into_iter()
                .map(|(_, w)| w)
                .collect();
            let woke = !wakers.is_empty();
            wakers.into_iter().for_each(Waker::wake);
            self.deliver_letters();
            let queued = std::mem::take(&mut *self.queue.borrow_mut());
            let events = std::mem::take(&mut *self.events.borrow_mut());
            self.n_events.set(0);
            self.deferred.borrow_mut().clear();
            if queued.is_empty() && events.is_empty() && !woke {
                break;
            }
            drop((queued, events));
        }
        for letter in self.remote.close() {
            letter.deliver(self);
        }
        // What those letters queued (and anything queued later, when the
        // executor itself is dropped) is dropped unrun: closed.
        drop(std::mem::take(&mut *self.queue.borrow_mut()));
        let events = std::mem::take(&mut *self.events.borrow_mut());
        self.n_events.set(0);
        drop(events);
    }
}
