//! Tests of the executor core with a driver of their own and no libuv, so
//! that they run under Miri (`cargo +nightly miri test -p plenary-async
//! --lib core`): spawning, FIFO order and the budget, wakes from this
//! thread and from others (the remote queue), cancellation before and
//! after the first poll, panics, deferred wakes, and shutdown. The same
//! harness runs `control/`'s primitives and `util`'s pure combinators.

use super::context;
use super::executor::{Driver, Executor};
use super::remote::{Remote, Signal};
use crate::util::yield_now;
use crate::{JoinError, Task};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

/// A driver that counts how often it is asked for a tick.
#[derive(Default)]
pub(crate) struct TestDriver {
    pub(crate) arms: Cell<usize>,
}

impl Driver for TestDriver {
    fn arm(&self) {
        self.arms.set(self.arms.get() + 1);
    }
    fn disarm(&self) {}
    fn work_left(&self) {}
}

/// The remote's signal in the tests: counts (from any thread).
unsafe fn count_signal(target: *mut ()) {
    // SAFETY: `target` is the `AtomicUsize` of `with_executor`, alive
    // until after the executor's shutdown closed the remote.
    unsafe { &*target.cast::<AtomicUsize>() }.fetch_add(1, Ordering::SeqCst);
}

/// Runs `f` with an executor installed on this thread, driven by the
/// test: `f` gets it, its driver and the count of remote signals.
pub(crate) fn with_executor<R>(f: impl FnOnce(&Executor, &TestDriver, &AtomicUsize) -> R) -> R {
    let driver = Rc::new(TestDriver::default());
    let signals = Box::new(AtomicUsize::new(0));
    let remote = Arc::new(Remote::new());
    let signal = Signal {
        target: std::ptr::from_ref::<AtomicUsize>(&signals)
            .cast_mut()
            .cast(),
        send: count_signal,
    };
    // SAFETY: `signals` outlives the executor's shutdown below, which
    // closes the remote.
    unsafe { remote.set_signal(signal) };
    let executor = Rc::new(Executor::new(driver.clone(), remote));
    context::install_executor(executor.clone());
    struct Uninstall;
    impl Drop for Uninstall {
        fn drop(&mut self) {
            context::uninstall_executor();
        }
    }
    let guard = Uninstall;
    let r = f(&executor, &driver, &signals);
    executor.drop_all_tasks();
    drop(guard);
    drop(executor);
    r
}

/// Runs `fut` to its end on the installed executor, ticking it.
pub(crate) fn run<F: Future + 'static>(executor: &Executor, fut: F) -> F::Output
where
    F::Output: 'static,
{
    let task = executor.spawn(fut, std::panic::Location::caller(), false);
    let mut task = pin!(task);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..100_000 {
        if let Poll::Ready(out) = task.as_mut().poll(&mut cx) {
            return out.expect("the task ended");
        }
        executor.tick();
    }
    panic!("the task did not end within 100,000 ticks");
}

/// Polls `task` once (it must have finished).
fn output<T>(task: Task<T>) -> Result<T, JoinError> {
    let mut task = pin!(task);
    match task.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("the task has not finished"),
    }
}

#[test]
fn tasks_run_in_spawn_order_within_the_budget() {
    with_executor(|ex, driver, _| {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..5 {
            let log = log.clone();
            tasks.push(ex.spawn(
                async move { log.borrow_mut().push(i) },
                std::panic::Location::caller(),
                false,
            ));
        }
        assert!(
            driver.arms.get() >= 1,
            "spawning asked the driver for a tick"
        );
        ex.set_budget(2);
        assert!(ex.tick(), "work is left after two");
        assert_eq!(*log.borrow(), [0, 1]);
        while ex.tick() {}
        assert_eq!(*log.borrow(), [0, 1, 2, 3, 4]);
        for t in tasks {
            assert_eq!(output(t), Ok(()));
        }
    });
}

#[test]
fn a_woken_task_goes_to_the_back_of_the_queue() {
    with_executor(|ex, _, _| {
        let log = Rc::new(RefCell::new(Vec::new()));
        let (l1, l2) = (log.clone(), log.clone());
        let a = ex.spawn(
            async move {
                l1.borrow_mut().push("a1");
                yield_now().await;
                l1.borrow_mut().push("a2");
            },
            std::panic::Location::caller(),
            false,
        );
        let b = ex.spawn(
            async move { l2.borrow_mut().push("b") },
            std::panic::Location::caller(),
            false,
        );
        while ex.tick() {}
        assert_eq!(*log.borrow(), ["a1", "b", "a2"]);
        assert_eq!(output(a), Ok(()));
        assert_eq!(output(b), Ok(()));
    });
}

#[test]
fn tasks_woken_by_events_and_by_tasks_take_turns_events_first() {
    use crate::control::channel::oneshot;
    with_executor(|ex, _, _| {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut tasks = Vec::new();
        let mut senders = Vec::new();
        for name in ["e1", "e2"] {
            let (tx, rx) = oneshot::<()>();
            senders.push(tx);
            let log = log.clone();
            tasks.push(ex.spawn(
                async move {
                    rx.await.unwrap();
                    log.borrow_mut().push(name.to_string());
                },
                std::panic::Location::caller(),
                false,
            ));
        }
        while ex.tick() {}
        assert!(log.borrow().is_empty(), "both wait on their channel");
        // A backlog of work the tasks made: five spawned tasks.
        for i in 0..5 {
            let log = log.clone();
            tasks.push(ex.spawn(
                async move { log.borrow_mut().push(format!("s{i}")) },
                std::panic::Location::caller(),
                false,
            ));
        }
        // Two events from outside any poll (as a libuv callback wakes).
        for tx in senders {
            tx.send(()).unwrap();
        }
        ex.set_budget(3);
        assert!(ex.tick(), "work is left after three polls");
        assert_eq!(*log.borrow(), ["e1", "s0", "e2"]);
        while ex.tick() {}
        assert_eq!(*log.borrow(), ["e1", "s0", "e2", "s1", "s2", "s3", "s4"]);
        for t in tasks {
            assert_eq!(output(t), Ok(()));
        }
    });
}

#[test]
fn an_eager_spawn_runs_up_to_the_first_wait_at_once() {
    with_executor(|ex, _, _| {
        let step = Rc::new(Cell::new(0));
        let s = step.clone();
        let task = ex.spawn(
            async move {
                s.set(1);
                yield_now().await;
                s.set(2);
            },
            std::panic::Location::caller(),
            true,
        );
        assert_eq!(step.get(), 1);
        while ex.tick() {}
        assert_eq!(step.get(), 2);
        assert_eq!(output(task), Ok(()));
    });
}

/// Sets its flag when dropped.
struct DropFlag(Rc<Cell<bool>>);

/// A flag and what sets it when dropped.
fn drop_flag() -> (Rc<Cell<bool>>, DropFlag) {
    let flag = Rc::new(Cell::new(false));
    (flag.clone(), DropFlag(flag))
}

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[test]
fn cancel_drops_the_future_at_once_before_and_after_the_first_poll() {
    with_executor(|ex, _, _| {
        // Queued, never polled.
        let dropped = Rc::new(Cell::new(false));
        let flag = DropFlag(dropped.clone());
        let task = ex.spawn(
            async move {
                let _flag = flag;
            },
            std::panic::Location::caller(),
            false,
        );
        task.cancel();
        assert!(dropped.get());
        assert_eq!(output(task), Err(JoinError::Canceled));
        // Polled, waiting for ever.
        let dropped = Rc::new(Cell::new(false));
        let flag = DropFlag(dropped.clone());
        let task = ex.spawn(
            async move {
                let _flag = flag;
                std::future::pending::<()>().await;
            },
            std::panic::Location::caller(),
            false,
        );
        while ex.tick() {}
        assert!(!dropped.get());
        task.cancel();
        assert!(dropped.get());
        assert_eq!(output(task), Err(JoinError::Canceled));
    });
}

#[test]
fn a_panic_is_the_task_s_error_and_the_executor_goes_on() {
    with_executor(|ex, _, _| {
        let bad = ex.spawn(
            async { panic!("boom") },
            std::panic::Location::caller(),
            false,
        );
        let good = ex.spawn(async { 7 }, std::panic::Location::caller(), false);
        while ex.tick() {}
        assert!(
            matches!(output(bad), Err(JoinError::Panicked { message, .. }) if message == "boom")
        );
        assert_eq!(output(good), Ok(7));
    });
}

#[test]
fn an_abort_handle_cancels_from_elsewhere_and_wakes_the_awaiter() {
    with_executor(|ex, _, _| {
        let (dropped, flag) = drop_flag();
        let target = ex.spawn(
            async move {
                let _flag = flag;
                std::future::pending::<()>().await
            },
            std::panic::Location::caller(),
            false,
        );
        let abort = target.abort_handle();
        // The awaiter: a task that awaits `target`.
        let awaiter = ex.spawn(target, std::panic::Location::caller(), false);
        while ex.tick() {}
        assert!(!dropped.get() && !abort.is_finished());
        abort.cancel();
        assert!(dropped.get(), "the future is dropped at once");
        while ex.tick() {}
        assert_eq!(output(awaiter), Ok(Err(JoinError::Canceled)));
        abort.cancel(); // again: nothing
                        // A task that aborts itself from inside its poll ends after it.
        let slot: Rc<RefCell<Option<crate::AbortHandle>>> = Rc::new(RefCell::new(None));
        let s = slot.clone();
        let (dropped, flag) = drop_flag();
        let me = ex.spawn(
            async move {
                let _flag = flag;
                s.borrow()
                    .as_ref()
                    .expect("set before the first poll")
                    .cancel();
                std::future::pending::<()>().await
            },
            std::panic::Location::caller(),
            false,
        );
        *slot.borrow_mut() = Some(me.abort_handle());
        while ex.tick() {}
        assert!(dropped.get());
        assert_eq!(output(me), Err(JoinError::Canceled));
    });
}

#[test]
fn a_scope_dropped_mid_way_drops_its_children_depth_first() {
    // The scope machinery (tree, abort handles, child futures) under Miri:
    // no leak, no use after free when a whole tree is dropped.
    with_executor(|ex, _, _| {
        let order = Rc::new(RefCell::new(Vec::new()));
        struct Note(Rc<RefCell<Vec<&'static str>>>, &'static str);
        impl Drop for Note {
            fn drop(&mut self) {
                self.0.borrow_mut().push(self.1);
            }
        }
        let (o1, o2, o3) = (order.clone(), order.clone(), order.clone());
        let outer = ex.spawn(
            crate::scope::scope(move |s| async move {
                let _body = Note(o1, "body");
                drop(s.spawn(async move {
                    let _child = Note(o2, "child");
                    let _ = crate::scope::scope(move |inner| async move {
                        drop(inner.spawn(async move {
                            let _grandchild = Note(o3, "grandchild");
                            std::future::pending::<()>().await
                        }));
                        std::future::pending::<()>().await
                    })
                    .await;
                }));
                std::future::pending::<()>().await
            }),
            std::panic::Location::caller(),
            false,
        );
        for _ in 0..5 {
            ex.tick();
        }
        let outer = outer;
        outer.cancel();
        assert_eq!(*order.borrow(), ["grandchild", "child", "body"]);
    });
}

#[test]
fn a_detached_task_s_panic_goes_to_the_error_handler() {
    with_executor(|ex, _, _| {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let sink = seen.clone();
        ex.set_error_handler(Rc::new(move |e: JoinError| {
            sink.borrow_mut().push(e.to_string())
        }));
        ex.spawn(
            async { panic!("nobody awaits this") },
            std::panic::Location::caller(),
            false,
        )
        .detach();
        // A handle that is kept, then dropped after the panic: its owner
        // chose not to look, as with tokio's JoinHandle (not reported).
        let kept = ex.spawn(
            async { panic!("the handle's") },
            std::panic::Location::caller(),
            false,
        );
        while ex.tick() {}
        drop(kept);
        let seen = seen.borrow();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert!(seen[0].contains("nobody awaits this"), "{seen:?}");
        assert!(
            seen[0].contains("core_tests.rs"),
            "the spawn location: {seen:?}"
        );
    });
}

#[test]
fn a_waker_dropped_on_the_runtime_s_thread_after_shutdown_frees_its_task() {
    // A libuv handle's close callback may drop the waker it held after the
    // runtime was detached (Neovim's exit). Miri's leak check fails this
    // test if the task's cell is not freed.
    let kept: Rc<RefCell<Option<Waker>>> = Rc::new(RefCell::new(None));
    let slot = kept.clone();
    with_executor(|ex, _, _| {
        ex.spawn(
            std::future::poll_fn(move |cx| {
                *slot.borrow_mut() = Some(cx.waker().clone());
                Poll::<()>::Pending
            }),
            std::panic::Location::caller(),
            false,
        )
        .detach();
        while ex.tick() {}
    });
    let waker = kept.borrow_mut().take().expect("the task stored its waker");
    waker.wake_by_ref(); // a wake of a task whose runtime is gone: moot
    drop(waker);
}

#[test]
fn wakes_from_other_threads_go_through_the_remote_queue() {
    with_executor(|ex, _, signals| {
        let waker_slot: Rc<RefCell<Option<Waker>>> = Rc::new(RefCell::new(None));
        let slot = waker_slot.clone();
        let woken = Rc::new(Cell::new(false));
        let w = woken.clone();
        let task = ex.spawn(
            std::future::poll_fn(move |cx| {
                if slot.borrow().is_some() {
                    w.set(true);
                    return Poll::Ready(());
                }
                *slot.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }),
            std::panic::Location::caller(),
            false,
        );
        while ex.tick() {}
        let waker = waker_slot.borrow().clone().expect("the task registered");
        let threads: Vec<_> = (0..3)
            .map(|_| {
                let waker = waker.clone();
                std::thread::spawn(move || waker.wake())
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(signals.load(Ordering::SeqCst) >= 1, "the remote signaled");
        assert!(ex.has_work());
        while ex.tick() {}
        assert!(woken.get());
        assert_eq!(output(task), Ok(()));
    });
}

#[test]
fn a_deferred_wake_runs_at_the_next_tick() {
    with_executor(|ex, _, _| {
        let resumed = Rc::new(Cell::new(false));
        let r = resumed.clone();
        let mut deferred = false;
        let task = ex.spawn(
            std::future::poll_fn(move |cx| {
                if deferred {
                    r.set(true);
                    return Poll::Ready(());
                }
                deferred = true;
                super::with_executor(|ex| ex.defer(cx.waker().clone()));
                Poll::Pending
            }),
            std::panic::Location::caller(),
            false,
        );
        ex.tick(); // polls it: it defers itself
        assert!(!resumed.get());
        ex.tick(); // wakes the deferred, polls it
        assert!(resumed.get());
        assert_eq!(output(task), Ok(()));
    });
}

#[test]
fn shutdown_drops_tasks_that_wait_on_each_other_and_refuses_new_ones() {
    with_executor(|ex, _, _| {
        let dropped = Rc::new(Cell::new(0));
        let (tx, rx) = crate::control::channel::oneshot::<()>();
        let d1 = DropFlagCount(dropped.clone());
        let d2 = DropFlagCount(dropped.clone());
        let waiting = ex.spawn(
            async move {
                let _d = d1;
                let _ = rx.await;
            },
            std::panic::Location::caller(),
            false,
        );
        let holding = ex.spawn(
            async move {
                let _d = d2;
                let _tx = tx;
                std::future::pending::<()>().await;
            },
            std::panic::Location::caller(),
            false,
        );
        while ex.tick() {}
        ex.drop_all_tasks();
        assert_eq!(dropped.get(), 2);
        assert_eq!(output(waiting), Err(JoinError::Canceled));
        assert_eq!(output(holding), Err(JoinError::Canceled));
        let late = ex.spawn(async { 1 }, std::panic::Location::caller(), false);
        assert_eq!(output(late), Err(JoinError::Canceled));
    });
}

/// Counts drops.
struct DropFlagCount(Rc<Cell<usize>>);

impl Drop for DropFlagCount {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn join_race_and_channels_run_on_the_core() {
    with_executor(|ex, _, _| {
        let out = run(ex, async {
            let (tx, mut rx) = crate::control::channel::mpsc::<u32>();
            let producer = crate::spawn(async move {
                for i in 0..10 {
                    tx.send(i).unwrap();
                    yield_now().await;
                }
            });
            let mut sum = 0;
            for _ in 0..10 {
                sum += rx.recv().await.unwrap();
            }
            producer.await.unwrap();
            let sem = crate::control::Semaphore::new(1);
            let permit = sem.acquire().await;
            drop(permit);
            let (a, b) = crate::join!(async { 1 }, async { 2 });
            sum + a + b
        });
        assert_eq!(out, 45 + 3);
    });
}

/// The remote queue as a model: four threads wake 40 tasks (each task
/// once per thread) while this thread keeps ticking; every task sees all
/// four wakes' effect and ends, no runnable is lost or run twice. Under
/// Miri this also checks the queue's lock and flags for data races.
#[test]
fn concurrent_remote_wakes_while_ticking_lose_nothing() {
    use std::sync::atomic::AtomicU32;
    const TASKS: usize = 40;
    const THREADS: u32 = 4;
    with_executor(|ex, _, _| {
        let counts: Arc<Vec<AtomicU32>> = Arc::new((0..TASKS).map(|_| AtomicU32::new(0)).collect());
        let wakers: Rc<RefCell<Vec<Option<Waker>>>> = Rc::new(RefCell::new(vec![None; TASKS]));
        let mut tasks = Vec::new();
        for i in 0..TASKS {
            let (counts, wakers) = (counts.clone(), wakers.clone());
            tasks.push(ex.spawn(
                std::future::poll_fn(move |cx| {
                    if counts[i].load(Ordering::SeqCst) == THREADS {
                        return Poll::Ready(());
                    }
                    wakers.borrow_mut()[i] = Some(cx.waker().clone());
                    Poll::Pending
                }),
                std::panic::Location::caller(),
                false,
            ));
        }
        while ex.tick() {}
        let all: Vec<Waker> = wakers.borrow().iter().map(|w| w.clone().unwrap()).collect();
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                let (all, counts) = (all.clone(), counts.clone());
                std::thread::spawn(move || {
                    for (i, w) in all.iter().enumerate() {
                        counts[i].fetch_add(1, Ordering::SeqCst);
                        w.wake_by_ref();
                    }
                })
            })
            .collect();
        let mut spins = 0;
        while tasks.iter().any(|t| !t.is_finished()) {
            ex.tick();
            spins += 1;
            assert!(spins < 1_000_000, "the tasks never all ended");
            std::thread::yield_now();
        }
        for t in threads {
            t.join().unwrap();
        }
        for t in tasks {
            assert_eq!(output(t), Ok(()));
        }
    });
}

/// A detached task whose waker went to another thread, which drops it
/// without waking: the drop is handed to this thread (a message), never
/// done there; the task, still registered as waiting, is dropped at
/// shutdown, on this thread (its destructors see this thread), and
/// nothing leaks (Miri checks).
#[test]
fn a_task_whose_last_waker_is_dropped_on_another_thread_is_dropped_here() {
    with_executor(|ex, _, _| {
        let dropped_on: Rc<Cell<Option<std::thread::ThreadId>>> = Rc::new(Cell::new(None));
        struct Where(Rc<Cell<Option<std::thread::ThreadId>>>);
        impl Drop for Where {
            fn drop(&mut self) {
                self.0.set(Some(std::thread::current().id()));
            }
        }
        let guard = Where(dropped_on.clone());
        let (waker_tx, waker_rx) = std::sync::mpsc::channel::<Waker>();
        let mut sent = false;
        ex.spawn(
            std::future::poll_fn(move |cx| {
                let _g = &guard;
                if !sent {
                    sent = true;
                    waker_tx.send(cx.waker().clone()).unwrap();
                }
                Poll::<()>::Pending
            }),
            std::panic::Location::caller(),
            false,
        )
        .detach();
        while ex.tick() {}
        std::thread::spawn(move || drop(waker_rx.recv().unwrap()))
            .join()
            .unwrap();
        while ex.tick() {} // delivers the foreign drop
                           // Still registered as waiting (shutdown wakes it), so not dropped.
        assert_eq!(dropped_on.get(), None);
        ex.drop_all_tasks();
        assert_eq!(dropped_on.get(), Some(std::thread::current().id()));
    });
}

/// A task that finished while another thread held its waker: that thread
/// dropping the waker later frees the cell there (only memory is left).
#[test]
fn a_foreign_waker_outliving_its_finished_task_frees_the_cell() {
    with_executor(|ex, _, _| {
        let (waker_tx, waker_rx) = std::sync::mpsc::channel::<Waker>();
        let mut polled = false;
        let task = ex.spawn(
            std::future::poll_fn(move |cx| {
                if !polled {
                    polled = true;
                    waker_tx.send(cx.waker().clone()).unwrap();
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                Poll::Ready(5)
            }),
            std::panic::Location::caller(),
            false,
        );
        while ex.tick() {}
        assert_eq!(output(task), Ok(5));
        let waker = waker_rx.recv().unwrap();
        std::thread::spawn(move || {
            waker.wake_by_ref(); // a wake after the end: ignored
            drop(waker);
        })
        .join()
        .unwrap();
        while ex.tick() {}
    });
}

/// `util`'s pure combinators on the core (no timers): join, race and
/// race!, run_first and run_first!, protected.
#[test]
fn util_combinators_run_on_the_core() {
    with_executor(|ex, _, _| {
        let out = run(ex, async {
            let joined = crate::util::join((0..4).map(|i| async move {
                yield_now().await;
                i * 10
            }))
            .await;
            assert_eq!(joined, [0, 10, 20, 30]);
            let raced = crate::util::race([
                Box::pin(std::future::pending::<u8>())
                    as std::pin::Pin<Box<dyn Future<Output = u8>>>,
                Box::pin(async { 2 }),
            ])
            .await;
            assert_eq!(raced, 2);
            let mixed = crate::race!(std::future::pending::<&str>(), async { "ready" }).await;
            assert_eq!(mixed, "ready");
            let first = crate::util::run_first((1..=3u8).map(|n| {
                move |cb: crate::Callback<u8>| {
                    if n == 2 {
                        cb.call(n);
                    }
                }
            }))
            .await;
            assert_eq!(first, Ok(2));
            let never = |cb: crate::Callback<u8>| drop(cb);
            let one = |cb: crate::Callback<u8>| cb.call(1);
            let boxed = crate::run_first!(never, one).await;
            assert_eq!(boxed, Ok(1u8));
            let caught = crate::util::protected(async { panic!("inside") }).await;
            assert!(matches!(caught, Err(JoinError::Panicked { .. })));
            joined.len() + raced as usize
        });
        assert_eq!(out, 6);
    });
}

// ---- ownership: the context's reference is the last one ---------------------

/// Installs an executor whose only strong reference is the context's (as
/// a runtime whose only handle is the thread's slot), for the tests that
/// drop it from inside task code.
fn install_only_executor() -> Rc<TestDriver> {
    let driver = Rc::new(TestDriver::default());
    let executor = Executor::new(driver.clone(), Arc::new(Remote::new()));
    context::install_executor(Rc::new(executor));
    driver
}

#[test]
fn the_executor_uninstalled_inside_an_eager_poll_lives_until_the_poll_returns() {
    let _driver = install_only_executor();
    let location = std::panic::Location::caller();
    // The eager poll's `Enter` holds the executor: uninstalling it (a
    // `detach` of the runtime's last handle) frees it only after the
    // executor has finished with the poll (it then resets its flags).
    let task = super::with_current_executor(|ex| {
        ex.spawn(
            async {
                context::uninstall_executor();
                5
            },
            location,
            true,
        )
    });
    assert!(super::with_executor(|_| ()).is_none(), "gone now");
    assert_eq!(output(task), Ok(5));
}

#[test]
fn the_executor_uninstalled_inside_a_tick_lives_until_the_tick_returns() {
    let _driver = install_only_executor();
    let location = std::panic::Location::caller();
    let (dropped, flag) = drop_flag();
    let (task, waiting) = super::with_current_executor(|ex| {
        let task = ex.spawn(
            async {
                context::uninstall_executor();
                panic!("after the executor's last reference went");
            },
            location,
            false,
        );
        // A second task, queued behind the first: the tick that polls
        // the first goes on to it, on the executor that is no longer
        // installed (its own tasks still run on it).
        let waiting = ex.spawn(
            async move {
                let _flag = flag;
                std::future::pending::<()>().await;
            },
            location,
            false,
        );
        (task, waiting)
    });
    super::with_executor(|ex| ex.tick()).expect("installed until the first poll");
    let err = output(task).unwrap_err();
    assert!(
        err.to_string()
            .contains("after the executor's last reference went"),
        "{err}"
    );
    // The executor was dropped with the tick's `Enter`: the pending task's
    // cell is still referenced by its `Task` (and its registry entry died
    // with the executor), so its future is dropped with the handle.
    assert!(!dropped.get());
    drop(waiting);
    assert!(dropped.get());
}

#[test]
fn wakers_woken_and_dropped_after_the_executor_is_gone() {
    let _driver = install_only_executor();
    let location = std::panic::Location::caller();
    let stash: Rc<RefCell<Vec<Waker>>> = Rc::default();
    let s = stash.clone();
    let task = super::with_current_executor(|ex| {
        ex.spawn(
            std::future::poll_fn(move |cx| {
                s.borrow_mut().push(cx.waker().clone());
                Poll::<()>::Pending
            }),
            location,
            true,
        )
    });
    super::with_executor(|ex| ex.drop_all_tasks());
    context::uninstall_executor();
    assert_eq!(output(task), Err(JoinError::Canceled));
    let local = stash.borrow_mut().pop().expect("the task waited");
    // On another thread: a clone made there (foreign) is woken and
    // dropped there; the original goes back to be dropped here.
    let back = std::thread::spawn(move || {
        let foreign = local.clone();
        local.wake_by_ref();
        foreign.wake();
        local
    })
    .join()
    .unwrap();
    back.wake_by_ref();
    back.wake();
}
