//! Plenary's `a.control`: coordinating tasks.
//!
//! | plenary | here |
//! |---|---|
//! | `a.control.channel.oneshot/counter/mpsc` | [`channel`] |
//! | `a.control.Condvar.new()` | [`Condvar::new`] |
//! | `a.control.Semaphore.new(n)` | [`Semaphore::new`] |
//! | `permit:forget()` | [`Permit::release`] (or drop the permit) |
//!
//! Everything here is single-threaded, like the executor: `Rc` and `Cell`
//! inside, no locks and no atomics, so the types are `!Send`. Waiters are
//! served **first come, first served** everywhere (plenary's semaphore and
//! `notify_one` are not), and whatever a waiter was handed (a permit, a
//! notification, a place in a bounded queue) is passed on if its future is
//! dropped before it runs, so cancelling a task never loses one.
//!
//! Plenary's worker pool, with its workers really running side by side:
//!
//! ```
//! use plenary_async as a;
//! use a::control::{channel, Semaphore};
//!
//! a::block_on(async {
//!     let workers = Semaphore::new(3);
//!     let (tasks, mut queue) = channel::mpsc();
//!     for i in 1..=5 {
//!         tasks.send(format!("Task {i}")).unwrap();
//!     }
//!     drop(tasks);
//!     let mut running = Vec::new();
//!     while let Some(name) = queue.recv().await {
//!         let permit = workers.acquire().await; // at most 3 at once
//!         running.push(a::spawn(async move {
//!             a::util::sleep(1).await;
//!             permit.release();
//!             name
//!         }));
//!     }
//!     assert_eq!(a::util::join(running).await.len(), 5);
//! });
//! ```

pub mod channel;
mod condvar;
#[cfg(test)]
mod core_tests;
mod semaphore;
mod waiters;

pub use condvar::{Condvar, Wait};
pub use semaphore::{Acquire, Permit, Semaphore};
