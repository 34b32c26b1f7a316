//! The executor's core: the run queue, the task cells, spawning, waking,
//! the budget, cancellation and the dropping of every task at shutdown.
//! No libuv here: what drives the executor is a [`Driver`], told when work
//! is queued outside a tick, which then calls [`Executor::tick`] (the
//! libuv driver is `runtime::driver`; the tests' driver is a counter). So
//! this module, `control/` and the pure parts of `util/` run under Miri.
//!
//! A task is an [`async_task`] cell whose schedule function
//! (`context::schedule`) pushes its runnable onto the run queue of this
//! thread's executor, or, from another thread, onto the executor's
//! [`Remote`] queue, which the next tick drains.
//!
//! The executor's state, and who touches it:
//!
//! | field | meaning | set by |
//! |---|---|---|
//! | `queue` | runnables to poll, FIFO | `push_local` (wakes on this thread), `tick` (remote wakes drained in) |
//! | `deferred` | wakers of tasks that yielded to the loop (`util::scheduler`) | `defer`; woken at the start of the next tick |
//! | `active` | a waker of every task that has waited once and not ended (one that ends at its first poll never enters) | a task's first wait (insert), its end (remove); shutdown wakes them all to drop them |
//! | `draining` | a tick (or an eager first poll) is polling tasks now | `tick`, `spawn_inner`; while set, wakes queue without arming the driver |
//! | `shutting_down` | every task is being dropped; `spawn` gives canceled tasks | `drop_all_tasks`, once |
//! | `canceling` | the task `Task::cancel` is dropping now: its last schedule drops the runnable | `cancel` |
//!
//! Everything is `Cell`/`RefCell`: the executor is only ever shared
//! (`&Executor`), also while task code re-enters it through the
//! thread-local's pointer.

use super::remote::Remote;
use super::task::{self, Task};
use crate::Error;
use slab::Slab;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::panic::Location;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Waker;

/// A task's runnable. Its metadata is the runtime's [`Remote`]: the schedule
/// function reads it from there instead of capturing it, which keeps that
/// function zero-sized, and async-task then wakes a task by value without
/// an extra reference count increment and decrement.
pub(crate) type Runnable = async_task::Runnable<Arc<Remote>>;

/// A task's handle inside async-task (see [`Runnable`]).
pub(crate) type RawTask<T> = async_task::FallibleTask<T, Arc<Remote>>;
type ErrorHandler = Rc<dyn Fn(&Error)>;

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
}

/// The run queue and the task cells (see the module documentation).
pub(crate) struct Executor {
    queue: RefCell<VecDeque<Runnable>>,
    deferred: RefCell<Vec<Waker>>,
    active: RefCell<Slab<Waker>>,
    remote: Arc<Remote>,
    driver: Rc<dyn Driver>,
    draining: Cell<bool>,
    shutting_down: Cell<bool>,
    budget: Cell<usize>,
    /// Id of the task `Task::cancel` is dropping right now (else null).
    canceling: Cell<*const ()>,
    error_handler: RefCell<Option<ErrorHandler>>,
}

/// The identity of a task: the address of the metadata in its async-task
/// header, the same whether reached from its `Runnable` or its `Task`.
pub(crate) fn task_id(runnable: &Runnable) -> *const () {
    std::ptr::from_ref(runnable.metadata()).cast::<()>()
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
            queue: RefCell::new(VecDeque::with_capacity(256)),
            deferred: RefCell::new(Vec::new()),
            active: RefCell::new(Slab::new()),
            remote,
            driver,
            draining: Cell::new(false),
            shutting_down: Cell::new(false),
            budget: Cell::new(DEFAULT_BUDGET),
            canceling: Cell::new(std::ptr::null()),
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
        self.queue.borrow().len()
    }

    pub(crate) fn is_draining(&self) -> bool {
        self.draining.get()
    }

    /// Pushes a task woken on this thread.
    pub(crate) fn push_local(&self, runnable: Runnable) {
        let canceling = self.canceling.get();
        if !canceling.is_null() && task_id(&runnable) == canceling {
            // `Task::cancel` is dropping this task: drop its future now.
            drop(runnable);
            return;
        }
        self.queue.borrow_mut().push_back(runnable);
        if !self.draining.get() {
            self.driver.arm();
        }
    }

    /// Polls up to `budget` queued tasks, in FIFO order. Returns whether work
    /// remains.
    pub(crate) fn tick(&self) -> bool {
        if self.draining.replace(true) {
            // Called from inside a task (a host hook reentering): the outer
            // tick is already draining.
            return true;
        }
        let reset = Reset(&self.draining);
        self.driver.disarm();
        self.remote.drain_into(&mut self.queue.borrow_mut());
        if !self.deferred.borrow().is_empty() {
            let deferred = std::mem::take(&mut *self.deferred.borrow_mut());
            deferred.into_iter().for_each(Waker::wake);
        }
        for _ in 0..self.budget.get() {
            let next = self.queue.borrow_mut().pop_front();
            match next {
                Some(runnable) => {
                    runnable.run();
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

    pub(crate) fn has_work(&self) -> bool {
        !self.queue.borrow().is_empty()
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
        // SAFETY: spawn_unchecked lets the future be !Send. Its runnable is
        // run and dropped only on this thread: the schedule function puts it
        // on this thread's queue, or, from other threads, on the Remote queue
        // that only this thread drains (and that leaks, never drops, what
        // arrives after shutdown). The future and output are 'static.
        let (runnable, task) = unsafe {
            async_task::Builder::new()
                .metadata(self.remote.clone())
                .spawn_unchecked(move |_| future, super::context::schedule)
        };
        let id = std::ptr::from_ref(task.metadata()).cast::<()>();
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
        Task::new(task.fallible(), id)
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

    /// Hands an error nobody awaits to the error handler (or stderr).
    pub(crate) fn report(&self, err: &Error) {
        let handler = self.error_handler.borrow().clone();
        match handler {
            Some(h) => h(err),
            None => eprintln!("plenary_async: {err}"),
        }
    }

    /// Drops a task's future now: see `Task::cancel`.
    pub(crate) fn cancel<T>(&self, task: RawTask<T>, id: *const ()) {
        // Dropping the handle of an idle task makes async-task schedule it
        // one last time; `push_local` recognises it by `canceling` and drops
        // the runnable, which drops the future.
        let previous = self.canceling.replace(id);
        drop(task);
        self.canceling.set(previous);
        // A task that was already queued is still in the queue: take it out
        // and drop it there.
        self.remote.drain_into(&mut self.queue.borrow_mut());
        let found = {
            let mut queue = self.queue.borrow_mut();
            queue
                .iter()
                .position(|r| task_id(r) == id)
                .and_then(|i| queue.remove(i))
        };
        drop(found);
    }

    /// Drops every task, including those that only wait on each other, and
    /// closes the remote door. Runs once (then does nothing), through a
    /// shared borrow: the tasks' destructors and wakes re-enter the
    /// executor through the thread-local's pointer.
    pub(crate) fn drop_all_tasks(&self) {
        if self.shutting_down.replace(true) {
            return;
        }
        // Dropping a future may wake or free others, so repeat until quiet.
        loop {
            let wakers: Vec<Waker> = std::mem::take(&mut *self.active.borrow_mut())
                .into_iter()
                .map(|(_, w)| w)
                .collect();
            let woke = !wakers.is_empty();
            wakers.into_iter().for_each(Waker::wake);
            self.remote.drain_into(&mut self.queue.borrow_mut());
            let queued = std::mem::take(&mut *self.queue.borrow_mut());
            self.deferred.borrow_mut().clear();
            if queued.is_empty() && !woke {
                break;
            }
            drop(queued);
        }
        for runnable in self.remote.close() {
            drop(runnable);
        }
    }
}
