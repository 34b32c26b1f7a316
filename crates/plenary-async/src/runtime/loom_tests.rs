//! loom models of the cross-thread parts: the remote wake queue (a wake
//! from another thread racing the owner's ticks and its shutdown) and the
//! task cell's foreign references (cloned, woken and dropped on another
//! thread while the owner finishes, cancels or drops the task). loom runs
//! each test's closure under every interleaving of the atomics and the
//! mutex (within its preemption bound); each asserts that no wake is lost,
//! the future is dropped exactly once and the cell is freed exactly once.
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test -p plenary-async --lib --release loom_
//! ```
//!
//! Only this module's tests run in a `--cfg loom` build: everything else
//! uses the modelled types outside a model, which loom refuses.

use super::core_tests::with_executor;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

std::thread_local! {
    /// Cells freed in this model run (loom runs a model's threads on one
    /// OS thread, so a std thread-local counts them all).
    static FREED: Cell<usize> = const { Cell::new(0) };
}

/// Called by the cell's `dealloc`.
pub(super) fn note_freed() {
    FREED.with(|f| f.set(f.get() + 1));
}

fn freed() -> usize {
    FREED.with(Cell::get)
}

/// A future that stores its waker and counts its polls; pending until
/// `ready` is set; counts its drops.
struct Probe {
    waker: Rc<RefCell<Option<Waker>>>,
    polls: Rc<Cell<usize>>,
    ready: Rc<Cell<bool>>,
    drops: Rc<Cell<usize>>,
}

impl Future for Probe {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.polls.set(self.polls.get() + 1);
        if self.ready.get() {
            return Poll::Ready(());
        }
        *self.waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
    }
}

struct Probed {
    waker: Rc<RefCell<Option<Waker>>>,
    polls: Rc<Cell<usize>>,
    ready: Rc<Cell<bool>>,
    drops: Rc<Cell<usize>>,
}

fn probe() -> (Probe, Probed) {
    let (waker, polls, ready, drops) = (Rc::default(), Rc::default(), Rc::default(), Rc::default());
    let p = Probe {
        waker: Rc::clone(&waker),
        polls: Rc::clone(&polls),
        ready: Rc::clone(&ready),
        drops: Rc::clone(&drops),
    };
    (
        p,
        Probed {
            waker,
            polls,
            ready,
            drops,
        },
    )
}

fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = None; // exhaustive: these models are small
    builder.check(move || {
        FREED.with(|c| c.set(0));
        f();
    });
}

#[test]
fn loom_a_remote_wake_racing_the_owner_s_ticks_is_never_lost() {
    model(|| {
        with_executor(|ex, _, _| {
            let (p, probed) = probe();
            let task = ex.spawn(p, std::panic::Location::caller(), false);
            ex.tick(); // first poll: the waker is stored
            let local = probed.waker.borrow_mut().take().unwrap();
            let other = loom::thread::spawn(move || {
                let foreign = local.clone();
                foreign.wake(); // a message through the remote queue
                local // back, to be dropped on its own thread
            });
            ex.tick(); // may or may not see the wake
            let local = other.join().unwrap();
            // The wake was posted before the join: a tick now delivers it
            // if the one above did not.
            ex.tick();
            assert_eq!(
                probed.polls.get(),
                2,
                "the remote wake polled the task once"
            );
            drop(local);
            drop(task);
        });
        assert_eq!(freed(), 1);
    });
}

#[test]
fn loom_a_foreign_waker_racing_shutdown_frees_the_cell_once() {
    model(|| {
        let drops = with_executor(|ex, _, _| {
            let (p, probed) = probe();
            ex.spawn(p, std::panic::Location::caller(), false).detach();
            ex.tick();
            let local = probed.waker.borrow_mut().take().unwrap();
            let other = loom::thread::spawn(move || {
                let foreign = local.clone();
                foreign.wake_by_ref();
                drop(foreign); // a foreign reference let go there
                local
            });
            ex.drop_all_tasks(); // races the wake and the drop
            let local = other.join().unwrap();
            drop(local);
            probed.drops
        });
        assert_eq!(drops.get(), 1, "the future was dropped once");
        assert_eq!(freed(), 1, "the cell was freed once");
    });
}

#[test]
fn loom_a_foreign_waker_dropped_while_the_task_completes_frees_the_cell_once() {
    model(|| {
        let drops = with_executor(|ex, _, _| {
            let (p, probed) = probe();
            let task = ex.spawn(p, std::panic::Location::caller(), false);
            ex.tick();
            let local = probed.waker.borrow_mut().take().unwrap();
            let other = loom::thread::spawn(move || {
                let foreign = local.clone();
                (local, foreign)
            });
            let (local, foreign) = other.join().unwrap();
            // The foreign clone goes to a third thread and is dropped
            // there while the owner completes the task and drops its handle.
            let dropper = loom::thread::spawn(move || drop(foreign));
            probed.ready.set(true);
            local.wake_by_ref();
            ex.tick(); // completes
            drop(task);
            drop(local);
            dropper.join().unwrap();
            ex.tick(); // delivers a release the dropper posted, if any
            probed.drops
        });
        assert_eq!(drops.get(), 1);
        assert_eq!(freed(), 1);
    });
}
