//! The execution model: FIFO order, the per-tick budget, wakes from other
//! threads, one runtime per thread.

mod common;

use common::*;
use plenary_async as a;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn ready_tasks_run_in_fifo_order() {
    on_fresh_thread(|| {
        let order = Rc::new(RefCell::new(Vec::new()));
        for i in 0..20 {
            let o = order.clone();
            a::spawn(async move { o.borrow_mut().push(i) }).detach();
        }
        a::block_on(a::util::scheduler());
        assert_eq!(*order.borrow(), (0..20).collect::<Vec<_>>());
    });
}

#[test]
fn woken_tasks_are_requeued_at_the_back() {
    on_fresh_thread(|| {
        let order = Rc::new(RefCell::new(Vec::new()));
        for i in 0..3 {
            let o = order.clone();
            a::spawn(async move {
                o.borrow_mut().push(i);
                yield_now().await;
                o.borrow_mut().push(10 + i);
            })
            .detach();
        }
        a::block_on(a::util::scheduler());
        assert_eq!(*order.borrow(), vec![0, 1, 2, 10, 11, 12]);
    });
}

#[test]
fn a_tick_polls_at_most_the_budget() {
    on_fresh_thread(|| {
        let rt = a::Runtime::current();
        rt.set_budget(4);
        let polled = Rc::new(Cell::new(0));
        for _ in 0..10 {
            let p = polled.clone();
            rt.spawn(async move { p.set(p.get() + 1) }).detach();
        }
        assert!(rt.tick(), "work remains after the first tick");
        assert_eq!(polled.get(), 4);
        assert!(rt.tick());
        assert_eq!(polled.get(), 8);
        assert!(!rt.tick(), "no work remains");
        assert_eq!(polled.get(), 10);
    });
}

#[test]
#[should_panic(expected = "would never run a task")]
fn a_zero_budget_is_refused() {
    a::Runtime::current().set_budget(0);
}

#[test]
fn busy_tasks_do_not_starve_timers() {
    on_fresh_thread(|| {
        // Two tasks that are always ready; a timer must still fire for the
        // flag to be set and the busy loops to end.
        let stop = Rc::new(Cell::new(false));
        spawn_busy_until(&stop);
        spawn_busy_until(&stop);
        let s = stop.clone();
        let timer = a::spawn(async move {
            a::util::sleep(5).await;
            s.set(true);
        });
        let r = a::util::block_on(timer, Duration::from_secs(20));
        assert_eq!(r, Ok(Ok(())), "the timer fired while tasks were busy");
    });
}

#[test]
fn wakes_from_other_threads_are_never_lost() {
    on_fresh_thread(|| {
        const N: usize = 1000;
        let done = Rc::new(Cell::new(0));
        let mut callbacks = Vec::new();
        for i in 0..N {
            let (cb, fut) = a::Callback::<usize>::pair();
            callbacks.push(cb);
            let d = done.clone();
            a::spawn(async move {
                assert_eq!(fut.await, Ok(i));
                d.set(d.get() + 1);
            })
            .detach();
        }
        // Four threads call the callbacks back concurrently.
        let mut chunks: Vec<Vec<(usize, a::Callback<usize>)>> = Vec::new();
        let mut all: Vec<_> = callbacks.into_iter().enumerate().collect();
        while !all.is_empty() {
            let rest = all.split_off(all.len().min(N / 4));
            chunks.push(std::mem::replace(&mut all, rest));
        }
        let threads: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                std::thread::spawn(move || {
                    for (i, cb) in chunk {
                        cb.call(i);
                    }
                })
            })
            .collect();
        let d = done.clone();
        let all_done = async move {
            while d.get() < N {
                a::util::sleep(1).await;
            }
        };
        assert!(a::util::block_on(all_done, Duration::from_secs(30)).is_ok());
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(done.get(), N);
    });
}

#[test]
fn block_on_wakes_when_woken_from_another_thread() {
    on_fresh_thread(|| {
        let (cb, fut) = a::Callback::pair();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(10));
            cb.call("from afar");
        });
        assert_eq!(
            a::util::block_on(fut, Duration::from_secs(20)),
            Ok(Ok("from afar"))
        );
        t.join().unwrap();
    });
}

#[test]
fn a_waker_sent_to_another_thread_wakes_the_task() {
    on_fresh_thread(|| {
        let hits = Arc::new(AtomicUsize::new(0));
        let h = hits.clone();
        let task = a::spawn(async move {
            let mut sent = false;
            std::future::poll_fn(|cx| {
                if h.load(Ordering::SeqCst) > 0 {
                    return std::task::Poll::Ready(());
                }
                if !sent {
                    sent = true;
                    let waker = cx.waker().clone();
                    let h = h.clone();
                    std::thread::spawn(move || {
                        h.fetch_add(1, Ordering::SeqCst);
                        waker.wake();
                    });
                }
                std::task::Poll::Pending
            })
            .await;
        });
        assert_eq!(a::util::block_on(task, Duration::from_secs(20)), Ok(Ok(())));
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn each_thread_has_its_own_runtime() {
    let here = a::Runtime::current().loop_ptr() as usize;
    let there = on_fresh_thread(|| {
        let rt = a::Runtime::current();
        assert_eq!(rt.block_on(rt.spawn(async { 5 })), Ok(5));
        rt.loop_ptr() as usize
    });
    assert_ne!(here, there);
    assert_eq!(here, a::Runtime::current().loop_ptr() as usize);
}

#[test]
fn block_on_inside_a_task_panics_with_a_reason() {
    on_fresh_thread(|| {
        let task = a::spawn(async { a::block_on(async {}) });
        let err = a::block_on(task).unwrap_err();
        let a::JoinError::Panicked { message, .. } = err else {
            panic!("expected a panic, got {err:?}")
        };
        assert!(message.contains("inside an async task"), "{message}");
        // The runtime still works.
        assert_eq!(a::block_on(a::spawn(async { 1 })), Ok(1));
    });
}

#[test]
fn nested_block_on_panics_with_a_reason() {
    on_fresh_thread(|| {
        let caught = std::panic::catch_unwind(|| a::block_on(async { a::block_on(async {}) }));
        let message = panic_message(caught.unwrap_err());
        assert!(message.contains("inside another block_on"), "{message}");
        assert_eq!(a::block_on(async { 2 }), 2, "usable after the panic");
    });
}

#[test]
fn a_panic_in_block_on_propagates_and_leaves_the_runtime_usable() {
    on_fresh_thread(|| {
        let caught = std::panic::catch_unwind(|| a::block_on(async { panic!("main failed") }));
        assert_eq!(panic_message(caught.unwrap_err()), "main failed");
        assert_eq!(a::block_on(async { 3 }), 3);
    });
}

#[test]
fn tasks_spawned_outside_block_on_run_in_the_next_one() {
    on_fresh_thread(|| {
        let task = a::spawn(async { 9 });
        assert!(!task.is_finished());
        assert_eq!(a::block_on(task), Ok(9));
    });
}

#[test]
fn dropping_the_runtime_drops_every_task() {
    let (dropped_a, flag_a) = flag_sync();
    let (dropped_b, flag_b) = flag_sync();
    on_fresh_thread(move || {
        // A task that waits forever, and one that waits on a callback it
        // owns itself (a cycle no waker drop can break).
        a::spawn(async move {
            let _f = flag_a;
            std::future::pending::<()>().await
        })
        .detach();
        a::spawn(async move {
            let _f = flag_b;
            let (cb, fut) = a::Callback::<()>::pair();
            let _keep = cb;
            let _ = fut.await;
        })
        .detach();
        a::block_on(a::util::scheduler());
    });
    assert!(dropped_a.load(Ordering::SeqCst));
    assert!(dropped_b.load(Ordering::SeqCst));
}

struct SyncFlag(Arc<std::sync::atomic::AtomicBool>);
impl Drop for SyncFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}
fn flag_sync() -> (Arc<std::sync::atomic::AtomicBool>, SyncFlag) {
    let f = Arc::new(std::sync::atomic::AtomicBool::new(false));
    (f.clone(), SyncFlag(f))
}

#[test]
fn a_runtime_detached_mid_way_is_replaced_by_a_fresh_one() {
    on_fresh_thread(|| {
        let old = a::Runtime::current();
        let (dropped, f) = flag();
        let task = old.spawn(async move {
            let _f = f;
            a::util::sleep(60_000).await
        });
        a::block_on(a::util::scheduler());
        old.uninstall();
        assert!(dropped.get(), "the old runtime's tasks were dropped");
        let fresh = a::Runtime::current();
        assert_eq!(fresh.block_on(task), Err(a::JoinError::Canceled));
    });
}
