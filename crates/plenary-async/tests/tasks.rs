//! Tasks: spawn, cancel, detach, panics, `run` and `void`.

mod common;

use common::*;
use plenary_async as a;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

#[test]
fn cancel_drops_a_task_waiting_on_a_timer_at_once() {
    on_fresh_thread(|| {
        a::block_on(async {
            let (dropped, f) = flag();
            let task = a::spawn(async move {
                let _f = f;
                a::util::sleep(60_000).await;
            });
            a::util::scheduler().await; // it runs and waits on its timer
            assert!(!dropped.get());
            task.cancel();
            assert!(dropped.get(), "the future was dropped inside cancel()");
            assert_eq!(task.await, Err(a::JoinError::Canceled));
        });
    });
}

#[test]
fn cancel_drops_a_queued_task_before_it_is_ever_polled() {
    on_fresh_thread(|| {
        a::block_on(async {
            let polled = Rc::new(Cell::new(false));
            let (dropped, f) = flag();
            let p = polled.clone();
            let task = a::spawn(async move {
                let _f = f;
                p.set(true);
            });
            task.cancel(); // still in the run queue
            assert!(dropped.get());
            a::util::scheduler().await;
            assert!(!polled.get(), "a canceled task never runs");
            assert!(task.await.unwrap_err().is_canceled());
        });
    });
}

#[test]
fn cancel_of_a_task_woken_from_another_thread_drops_it_at_once() {
    on_fresh_thread(|| {
        a::block_on(async {
            let (cb, fut) = a::Callback::<()>::pair();
            let (dropped, f) = flag();
            let task = a::spawn(async move {
                let _f = f;
                let _ = fut.await;
                unreachable!("canceled before it could resume");
            });
            a::util::scheduler().await;
            // Wake it from another thread; it sits in the remote queue.
            std::thread::spawn(move || cb.call(())).join().unwrap();
            task.cancel();
            assert!(dropped.get());
            a::util::scheduler().await;
            assert!(task.await.unwrap_err().is_canceled());
        });
    });
}

#[test]
fn cancel_keeps_the_result_of_a_finished_task() {
    on_fresh_thread(|| {
        a::block_on(async {
            let task = a::spawn(async { 5 });
            a::util::scheduler().await;
            assert!(task.is_finished());
            task.cancel();
            assert_eq!(task.await, Ok(5));
        });
    });
}

#[test]
fn a_task_canceling_itself_is_dropped_after_its_poll() {
    on_fresh_thread(|| {
        a::block_on(async {
            let slot: Rc<RefCell<Option<a::Task<()>>>> = Rc::new(RefCell::new(None));
            let (dropped, f) = flag();
            let s = slot.clone();
            let after = Rc::new(Cell::new(false));
            let af = after.clone();
            let task = a::spawn(async move {
                let _f = f;
                a::util::scheduler().await;
                if let Some(t) = s.borrow_mut().as_mut() {
                    t.cancel();
                }
                af.set(true); // the current poll still finishes
                a::util::sleep(60_000).await;
            });
            *slot.borrow_mut() = Some(task);
            while !dropped.get() {
                a::util::sleep(1).await;
            }
            assert!(after.get());
            assert!(dropped.get());
            let task = slot.borrow_mut().take().unwrap();
            assert!(task.await.unwrap_err().is_canceled());
        });
    });
}

#[test]
fn a_dropped_task_handle_detaches() {
    on_fresh_thread(|| {
        let done = Rc::new(Cell::new(false));
        let d = done.clone();
        drop(a::spawn(async move {
            a::util::sleep(2).await;
            d.set(true);
        }));
        wait_until(|| done.get());
    });
}

#[test]
fn a_panicking_task_reports_message_and_spawn_location() {
    on_fresh_thread(|| {
        let line = line!() + 1;
        let task = a::spawn(async { panic!("kaboom") });
        match a::block_on(task) {
            Err(a::JoinError::Panicked {
                message, location, ..
            }) => {
                assert_eq!(message, "kaboom");
                assert!(location.file().ends_with("tasks.rs"), "{location}");
                assert_eq!(location.line(), line);
            }
            other => panic!("expected Panicked, got {other:?}"),
        }
        // The loop survives and keeps running tasks.
        assert_eq!(a::block_on(a::spawn(async { 1 })), Ok(1));
    });
}

#[test]
fn a_panic_in_a_destructor_of_a_canceled_task_is_reported() {
    on_fresh_thread(|| {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let s = seen.clone();
        a::Runtime::current().set_error_handler(move |e| s.borrow_mut().push(e.to_string()));
        struct Bomb;
        impl Drop for Bomb {
            fn drop(&mut self) {
                panic!("bomb in drop");
            }
        }
        a::block_on(async {
            let task = a::spawn(async {
                let _b = Bomb;
                std::future::pending::<()>().await
            });
            a::util::scheduler().await;
            task.cancel();
        });
        assert_eq!(seen.borrow().len(), 1);
        assert!(seen.borrow()[0].ends_with("panicked: bomb in drop"));
    });
}

#[test]
fn run_calls_back_with_the_value() {
    on_fresh_thread(|| {
        let got = Rc::new(RefCell::new(None));
        let g = got.clone();
        a::run(
            async {
                a::util::sleep(1).await;
                "result"
            },
            move |r| *g.borrow_mut() = Some(r),
        )
        .detach();
        wait_until(|| got.borrow().is_some());
        assert_eq!(*got.borrow(), Some(Ok("result")));
    });
}

#[test]
fn run_calls_back_with_the_panic() {
    on_fresh_thread(|| {
        let got = Rc::new(RefCell::new(None));
        let g = got.clone();
        let task = a::run(
            async { panic!("inside run") },
            move |r: Result<(), a::JoinError>| *g.borrow_mut() = Some(r),
        );
        assert_eq!(a::block_on(task), Ok(()));
        let r = got.borrow_mut().take().unwrap();
        assert!(r.unwrap_err().to_string().ends_with("panicked: inside run"));
    });
}

#[test]
fn run_calls_back_once_with_canceled_when_canceled() {
    on_fresh_thread(|| {
        let calls = Rc::new(RefCell::new(Vec::new()));
        let c = calls.clone();
        let task = a::run(a::util::sleep(60_000), move |r| c.borrow_mut().push(r));
        a::block_on(a::util::scheduler());
        task.cancel();
        a::block_on(a::util::scheduler());
        assert_eq!(*calls.borrow(), vec![Err(a::JoinError::Canceled)]);
    });
}

#[test]
fn run_calls_back_with_canceled_when_canceled_or_shut_down_before_its_first_poll() {
    on_fresh_thread(|| {
        let calls = Rc::new(RefCell::new(Vec::new()));
        let c = calls.clone();
        let task = a::run(async { 1 }, move |r| c.borrow_mut().push(r));
        task.cancel(); // never polled
        assert_eq!(*calls.borrow(), vec![Err(a::JoinError::Canceled)]);
        let c = calls.clone();
        a::run(async { 2 }, move |r| c.borrow_mut().push(r)).detach();
        a::Runtime::current().uninstall(); // shut down before its first poll
        assert_eq!(
            *calls.borrow(),
            vec![Err(a::JoinError::Canceled), Err(a::JoinError::Canceled)]
        );
    });
}

#[test]
fn a_panic_in_the_run_callback_is_reported() {
    on_fresh_thread(|| {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let s = seen.clone();
        a::Runtime::current().set_error_handler(move |e| s.borrow_mut().push(e));
        a::run(async { 1 }, |_| panic!("bad callback")).detach();
        a::block_on(a::util::scheduler());
        assert_eq!(seen.borrow().len(), 1);
        assert!(
            matches!(&seen.borrow()[0], a::JoinError::Panicked { message, .. } if message == "bad callback")
        );
    });
}

#[test]
fn void_returns_at_once_and_reports_panics_without_stopping_the_loop() {
    on_fresh_thread(|| {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let s = seen.clone();
        a::Runtime::current().set_error_handler(move |e| s.borrow_mut().push(e.to_string()));
        let started = Rc::new(Cell::new(0));
        let st = started.clone();
        let f = a::void(move |fail: bool| {
            let st = st.clone();
            async move {
                st.set(st.get() + 1);
                a::util::sleep(1).await;
                assert!(!fail, "asked to fail");
            }
        });
        f(true);
        f(false);
        assert_eq!(started.get(), 0, "void only starts the task");
        wait_until(|| started.get() == 2 && !seen.borrow().is_empty());
        a::block_on(a::util::sleep(5)); // (room for a wrong second report)
        assert_eq!(started.get(), 2);
        assert_eq!(seen.borrow().len(), 1);
        assert!(seen.borrow()[0].contains("panicked: asked to fail"));
    });
}

#[test]
fn void_and_wrap_accept_up_to_six_arguments() {
    on_fresh_thread(|| {
        let sum = Rc::new(Cell::new(0u32));
        let s = sum.clone();
        let f = a::void(
            move |a1: u32, a2: u32, a3: u32, a4: u32, a5: u32, a6: u32| {
                let s = s.clone();
                async move { s.set(a1 + a2 + a3 + a4 + a5 + a6) }
            },
        );
        f(1, 2, 3, 4, 5, 6);
        a::block_on(a::util::scheduler());
        assert_eq!(sum.get(), 21);

        let six = a::wrap(
            |a1: u8, a2: u8, a3: u8, a4: u8, a5: u8, a6: u8, cb: a::Callback<u8>| {
                cb.call(a1 + a2 + a3 + a4 + a5 + a6)
            },
        );
        assert_eq!(a::block_on(six(1, 1, 1, 1, 1, 1)), Ok(6));
        let zero = a::wrap(|cb: a::Callback<&str>| cb.call("none"));
        assert_eq!(a::block_on(zero()), Ok("none"));
    });
}

#[test]
fn spawn_during_runtime_shutdown_gives_a_canceled_task() {
    on_fresh_thread(|| {
        struct SpawnOnDrop(Rc<RefCell<Option<a::Task<()>>>>);
        impl Drop for SpawnOnDrop {
            fn drop(&mut self) {
                *self.0.borrow_mut() = Some(a::spawn(async {}));
            }
        }
        let slot = Rc::new(RefCell::new(None));
        let rt = a::Runtime::current();
        let s = SpawnOnDrop(slot.clone());
        rt.spawn(async move {
            let _s = s;
            std::future::pending::<()>().await
        })
        .detach();
        rt.tick();
        rt.uninstall();
        let task = slot.borrow_mut().take().expect("spawned in the destructor");
        assert!(task.is_finished());
        assert_eq!(a::block_on(task), Err(a::JoinError::Canceled));
    });
}

#[test]
fn spawn_now_polls_the_new_task_at_once_and_only_it() {
    on_fresh_thread(|| {
        let log = Rc::new(RefCell::new(Vec::new()));
        let l = log.clone();
        let queued = a::spawn(async move { l.borrow_mut().push("queued") });
        let l = log.clone();
        let eager = a::spawn_now(async move {
            l.borrow_mut().push("eager started");
            a::util::sleep(1).await;
            l.borrow_mut().push("eager resumed");
        });
        assert_eq!(*log.borrow(), ["eager started"], "only the new task ran");
        a::block_on(async {
            queued.await.unwrap();
            eager.await.unwrap();
        });
        assert_eq!(*log.borrow(), ["eager started", "queued", "eager resumed"]);
    });
}

#[test]
fn spawn_now_inside_a_task_queues_instead_of_nesting() {
    on_fresh_thread(|| {
        let ran = Rc::new(Cell::new(false));
        let r = ran.clone();
        let outer = a::spawn_now(async move {
            let r2 = r.clone();
            let inner = a::spawn_now(async move { r2.set(true) });
            // Inside a task: the inner one did not run inside our poll.
            assert!(!r.get());
            inner.await.unwrap();
            assert!(r.get());
        });
        a::block_on(outer).unwrap();
        assert!(ran.get());
    });
}

#[test]
fn spawn_now_catches_a_panic_in_the_first_poll() {
    on_fresh_thread(|| {
        let task = a::spawn_now(async { panic!("at once") });
        let err = a::block_on(task).unwrap_err();
        assert!(
            matches!(err, a::JoinError::Panicked { ref message, .. } if message == "at once"),
            "{err}"
        );
    });
}

/// `detach` while another handle to the runtime is alive: the thread gets a
/// fresh runtime at its next use (as the doc promises), and the old one's
/// tasks live on with the handle that keeps it.
#[test]
fn detach_gives_the_thread_a_fresh_runtime_even_while_a_clone_is_alive() {
    on_fresh_thread(|| {
        let rt = a::Runtime::current();
        let keep = rt.clone();
        let old_task = keep.spawn(async { "old" });
        rt.uninstall();
        // The thread's runtime is a new one: spawn, block_on and current work.
        assert_eq!(a::block_on(a::spawn(async { 5 })), Ok(5));
        let fresh = a::Runtime::current();
        assert_eq!(fresh.block_on(async { 6 }), 6);
        // The old runtime still runs its own tasks through the kept handle.
        while keep.tick() {}
        assert!(old_task.is_finished());
        // Detaching the old one again leaves the thread's fresh runtime be.
        keep.uninstall();
        let on_fresh = a::spawn(async { 7 });
        while fresh.tick() {}
        assert!(
            on_fresh.is_finished(),
            "a::spawn still goes to the fresh runtime"
        );
        assert_eq!(a::block_on(old_task), Ok("old"));
    });
}

#[test]
fn run_now_starts_at_once_and_calls_back_exactly_once() {
    on_fresh_thread(|| {
        let calls = Rc::new(RefCell::new(Vec::new()));
        let started = Rc::new(Cell::new(false));
        let (c, s) = (calls.clone(), started.clone());
        let task = a::run_now(
            async move {
                s.set(true);
                a::util::sleep(60_000).await;
            },
            move |r| c.borrow_mut().push(r),
        );
        assert!(
            started.get(),
            "it ran up to its first wait before run_now returned"
        );
        assert!(calls.borrow().is_empty());
        task.cancel();
        assert_eq!(*calls.borrow(), vec![Err(a::JoinError::Canceled)]);
        let got = Rc::new(Cell::new(0));
        let g = got.clone();
        a::run_now(async { 5 }, move |r| g.set(r.unwrap())).detach();
        assert_eq!(got.get(), 5, "a task that does not wait calls back at once");
    });
}
