//! Who keeps the runtime alive: task code, callbacks and destructors that
//! detach the runtime or drop its last handle while it runs them. Each of
//! these freed the runtime under its caller before the ownership change
//! (valgrind reported the invalid accesses; `scripts/valgrind.sh` runs this
//! file too), or left a runtime that never ran again.

mod common;

use common::*;
use plenary_async as a;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::sync::mpsc;
use std::time::Duration;

/// Runs `f` on a thread of its own and fails if it does not return within a
/// minute (a bound for "it did not hang", never an order).
fn within_a_minute<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(Ok(v)) => v,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!("did not return within a minute"),
    }
}

#[test]
fn detach_inside_an_eager_first_poll() {
    within_a_minute(|| {
        let task = a::spawn_now(async {
            a::Runtime::current().uninstall();
            1
        });
        assert!(task.is_finished());
        // The runtime the task ran on is gone with its last handle (the
        // task's own `Enter` held it until the poll returned); the task
        // handle still has the output.
        assert_eq!(a::block_on(task), Ok(1));
    });
}

#[test]
fn detach_inside_run_now_and_the_callback_still_runs() {
    within_a_minute(|| {
        let got = Rc::new(RefCell::new(None));
        let g = got.clone();
        let task = a::run_now(
            async {
                a::Runtime::current().uninstall();
                2
            },
            move |r| *g.borrow_mut() = Some(r),
        );
        assert!(task.is_finished());
        assert_eq!(*got.borrow(), Some(Ok(2)));
    });
}

#[test]
fn detach_inside_an_eager_poll_that_then_waits() {
    within_a_minute(|| {
        let rt = a::Runtime::current();
        let task = a::spawn_now(async {
            a::Runtime::current().uninstall();
            // Still this runtime's task: it waits a turn of this runtime's
            // loop (an event, not a time), then sleeps on it.
            a::util::scheduler().await;
            a::util::sleep(1).await;
            3
        });
        assert!(!task.is_finished());
        assert_eq!(rt.block_on(task), Ok(3));
    });
}

#[test]
fn block_on_with_a_limit_returns_when_the_future_detaches_between_sleeps() {
    within_a_minute(|| {
        let r = a::util::block_on(
            async {
                let before = a::Runtime::current().loop_ptr() as usize;
                a::util::sleep(1).await;
                a::Runtime::current().uninstall();
                // Long enough that it is not over at its first poll: its
                // timer must be on the runtime that drives this future (a
                // fresh runtime's timer would never fire; the limit's would,
                // after 30 s).
                a::util::sleep(200).await;
                let after = a::Runtime::current().loop_ptr() as usize;
                (before, after)
            },
            30_000,
        );
        let (before, after) = r.expect("within the limit");
        assert_eq!(
            before, after,
            "the sleep after detach ran on the same runtime"
        );
    });
}

#[test]
fn the_last_handle_dropped_inside_its_own_task() {
    within_a_minute(|| {
        let host = HostLoop::new();
        // SAFETY: the host loop is live, run on this thread, and outlives
        // the runtime (which its own task drops below).
        let rt = unsafe { a::Runtime::attach(host.ptr.cast()) };
        let (done, flag) = flag();
        let keep = rt.clone();
        rt.uninstall(); // now `keep` is the only handle
        let on = keep.clone();
        on.spawn(async move {
            let _flag = flag;
            a::util::scheduler().await;
            // The runtime's idle callback polls this task: dropping the
            // last handle here must not free the runtime under it.
            drop(keep);
        })
        .detach();
        drop(on);
        host.run();
        assert!(done.get(), "the task ran and ended");
    });
}

#[test]
fn an_error_handler_that_detaches_the_runtime() {
    within_a_minute(|| {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let s = seen.clone();
        let rt = a::Runtime::current();
        rt.set_error_handler(move |e| {
            s.borrow_mut().push(e.to_string());
            a::Runtime::current().uninstall();
        });
        let f = a::void(|| async { panic!("reported") });
        f();
        rt.block_on(a::util::scheduler());
        assert_eq!(seen.borrow().len(), 1);
        assert!(seen.borrow()[0].ends_with("panicked: reported"));
    });
}

#[test]
fn a_destructor_at_shutdown_that_detaches_and_spawns() {
    within_a_minute(|| {
        struct Rude(Rc<Cell<bool>>);
        impl Drop for Rude {
            fn drop(&mut self) {
                // At shutdown: the runtime being shut down is current, its
                // spawns give canceled tasks, and detaching does nothing
                // more.
                let late = a::spawn(async { 1 });
                a::Runtime::current().uninstall();
                self.0.set(late.is_finished());
            }
        }
        let canceled = Rc::new(Cell::new(false));
        let rt = a::Runtime::current();
        let rude = Rude(canceled.clone());
        rt.spawn(async move {
            let _rude = rude;
            std::future::pending::<()>().await;
        })
        .detach();
        rt.block_on(a::util::scheduler());
        rt.uninstall(); // the last handle: the pending task is dropped
        assert!(canceled.get(), "a spawn during shutdown is a canceled task");
    });
}

#[test]
fn a_detached_attached_runtime_keeps_running_its_tasks_from_its_own_idle_handle() {
    within_a_minute(|| {
        let host = HostLoop::new();
        // SAFETY: as above; `old` is dropped before the loop is closed.
        let old = unsafe { a::Runtime::attach(host.ptr.cast()) };
        let keep = old.clone();
        old.uninstall();
        let steps = Rc::new(Cell::new(0));
        let s = steps.clone();
        let task = keep.spawn(async move {
            for _ in 0..3 {
                a::util::scheduler().await;
                s.set(s.get() + 1);
            }
            a::Runtime::current().loop_ptr()
        });
        // The thread's next use outside the old runtime makes a fresh one.
        let fresh = a::Runtime::current();
        assert_ne!(fresh.loop_ptr(), keep.loop_ptr());
        host.run();
        assert_eq!(
            steps.get(),
            3,
            "the old runtime's idle handle polled its task"
        );
        assert!(task.is_finished());
        let ran_on = fresh.block_on(task).unwrap();
        assert_eq!(
            ran_on,
            keep.loop_ptr(),
            "inside its task, the old runtime is current"
        );
        drop(keep);
        drop(fresh);
    });
}

/// The waker of a task that waits for ever, taken out after the thread's
/// runtime (the task's) was detached and so dropped, with the task.
fn waker_of_a_task_whose_runtime_is_gone() -> std::task::Waker {
    let stash: Rc<RefCell<Option<std::task::Waker>>> = Rc::default();
    let s = stash.clone();
    let rt = a::Runtime::current();
    rt.spawn(std::future::poll_fn(move |cx| {
        *s.borrow_mut() = Some(cx.waker().clone());
        std::task::Poll::<()>::Pending
    }))
    .detach();
    rt.block_on(a::util::scheduler());
    rt.uninstall();
    let waker = stash.borrow_mut().take();
    waker.expect("the task waited")
}

#[test]
fn a_waker_woken_after_its_runtime_is_gone() {
    within_a_minute(|| {
        let waker = waker_of_a_task_whose_runtime_is_gone();
        waker.wake_by_ref();
        drop(waker);
        // And on another thread: a clone made there (a foreign reference)
        // is woken and let go there; the waker made here goes back to be
        // dropped here (a local reference is never touched elsewhere).
        let local = waker_of_a_task_whose_runtime_is_gone();
        let back = std::thread::spawn(move || {
            let foreign = local.clone();
            foreign.wake();
            local.wake_by_ref();
            local
        })
        .join()
        .unwrap();
        drop(back);
    });
}

/// A waker whose wake panics (a foreign executor's bug, say).
struct PanickingWaker;

impl std::task::Wake for PanickingWaker {
    fn wake(self: std::sync::Arc<Self>) {
        panic!("waker boom");
    }
}

#[test]
fn a_panic_in_a_libuv_callback_is_reported_and_the_loop_goes_on() {
    within_a_minute(|| {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let s = seen.clone();
        let rt = a::Runtime::current();
        rt.set_error_handler(move |e| s.borrow_mut().push(e.to_string()));
        let waker = std::task::Waker::from(std::sync::Arc::new(PanickingWaker));
        let mut cx = std::task::Context::from_waker(&waker);
        // A timer and a file-system request, each polled once with the
        // panicking waker: their libuv callbacks wake it.
        // (Half a second: created and polled in one statement, the sleep is
        // registered long before it is due, also under valgrind; a 1 ms
        // sleep was over at its first poll there.)
        let mut sleep = std::pin::pin!(a::util::sleep(500));
        assert!(
            sleep.as_mut().poll(&mut cx).is_pending(),
            "the sleep is registered"
        );
        let mut stat = std::pin::pin!(a::uv::fs::stat("/"));
        assert!(stat.as_mut().poll(&mut cx).is_pending());
        wait_until(|| seen.borrow().len() == 2);
        let seen = seen.borrow();
        assert!(
            seen.iter()
                .any(|m| m.contains("in the libuv timer callback: waker boom")),
            "{seen:?}"
        );
        assert!(
            seen.iter()
                .any(|m| m.contains("in the libuv fs callback: waker boom")),
            "{seen:?}"
        );
        // The runtime goes on; the request's result was stored before the
        // wake, so polling again gets it.
        assert!(rt.block_on(stat).is_ok());
        rt.block_on(a::util::sleep(1));
    });
}

#[test]
fn a_panicking_error_handler_does_not_unwind_into_the_runtime() {
    within_a_minute(|| {
        let rt = a::Runtime::current();
        let calls = Rc::new(Cell::new(0));
        let c = calls.clone();
        rt.set_error_handler(move |_| {
            c.set(c.get() + 1);
            panic!("handler boom");
        });
        let f = a::void(|| async { panic!("reported") });
        f();
        f();
        rt.block_on(a::util::scheduler());
        assert_eq!(calls.get(), 2, "both reports reached the handler");
        assert_eq!(rt.block_on(async { 7 }), 7);
    });
}

#[test]
fn a_host_hook_that_detaches_the_runtime_when_notified() {
    within_a_minute(|| {
        let host = HostLoop::new();
        let notified = Rc::new(Cell::new(0));
        let n = notified.clone();
        // SAFETY: the host loop is live, run on this thread, and outlives
        // the runtime (the hook itself detaches it).
        let rt = unsafe {
            a::Runtime::attach_with(host.ptr.cast(), move || {
                n.set(n.get() + 1);
                // The hook (host code) drops the thread's runtime while the
                // runtime is inside the spawn that notified it.
                a::Runtime::current().uninstall();
            })
        };
        // `a::spawn` on the installed runtime: its push calls the hook,
        // which drops the slot's handle (`rt` is another).
        let task = a::spawn(async { 5 });
        assert_eq!(notified.get(), 1);
        // `rt` still holds the runtime: it runs its task when ticked.
        while rt.tick() {}
        assert!(task.is_finished());
        let mut task = std::pin::pin!(task);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert_eq!(task.as_mut().poll(&mut cx), std::task::Poll::Ready(Ok(5)));
        drop(rt);
    });
}
