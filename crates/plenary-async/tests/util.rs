//! `a::util`: sleep, timeout, join, race, run_first, scheduler, protected,
//! block_on.

mod common;

use common::*;
use plenary_async as a;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::{Duration, Instant};

#[test]
fn sleep_never_ends_early() {
    on_fresh_thread(|| {
        for ms in [0u64, 1, 2, 5, 13, 30] {
            let start = Instant::now();
            a::block_on(a::util::sleep(ms));
            assert!(start.elapsed() >= Duration::from_millis(ms), "{ms} ms");
        }
        let start = Instant::now();
        a::block_on(a::util::sleep(Duration::from_micros(1500)));
        assert!(start.elapsed() >= Duration::from_micros(1500));
    });
}

#[test]
fn a_passed_deadline_is_ready_at_the_first_poll_and_a_late_first_poll_still_ends() {
    use futures_util::FutureExt;
    on_fresh_thread(|| {
        a::block_on(async {
            assert_eq!(a::util::sleep(0).now_or_never(), Some(()));
            assert_eq!(a::util::sleep(Duration::ZERO).now_or_never(), Some(()));
            let past = Instant::now() - Duration::from_millis(5);
            assert_eq!(a::util::sleep_until(past).now_or_never(), Some(()));
            assert_eq!(a::util::sleep(10_000).now_or_never(), None);
            // Made, then first polled only after its deadline: it does not
            // read the clock again at that poll, so it waits for the
            // runtime's timer, which fires at once (never early).
            let start = Instant::now();
            let sleep = a::util::sleep(Duration::from_micros(200));
            while start.elapsed() < Duration::from_millis(1) {}
            sleep.await;
            assert!(start.elapsed() >= Duration::from_micros(200));
        });
    });
}

#[test]
fn sleeps_end_in_deadline_order() {
    on_fresh_thread(|| {
        let order = Rc::new(RefCell::new(Vec::new()));
        // One base instant: the deadlines' order is fixed whatever the
        // machine does meanwhile; they are far enough apart that each sleep
        // is registered long before the earliest one is due.
        let base = Instant::now();
        let tasks: Vec<_> = [1200u64, 400, 800, 0]
            .into_iter()
            .map(|ms| {
                let o = order.clone();
                let sleep = a::util::sleep_until(base + Duration::from_millis(ms));
                a::spawn(async move {
                    sleep.await;
                    o.borrow_mut().push(ms);
                })
            })
            .collect();
        a::block_on(a::util::join(tasks));
        assert_eq!(*order.borrow(), vec![0, 400, 800, 1200]);
    });
}

#[test]
fn a_huge_sleep_can_be_created_and_dropped() {
    on_fresh_thread(|| {
        let r = a::util::block_on(a::util::sleep(Duration::MAX), 5);
        assert!(r.unwrap_err().is_timeout());
        let r = a::util::block_on(a::util::sleep(u64::MAX), 5);
        assert!(r.unwrap_err().is_timeout());
    });
}

#[test]
fn dropping_sleeps_mid_way_many_times_is_clean() {
    on_fresh_thread(|| {
        for i in 0..200u64 {
            let r = a::util::block_on(a::util::sleep(10_000 + i), Duration::ZERO);
            assert!(r.is_err());
        }
        // Many live timers dropped together with the tasks that own them.
        let tasks: Vec<_> = (0..500).map(|_| a::spawn(a::util::sleep(60_000))).collect();
        a::block_on(a::util::scheduler());
        for t in tasks {
            t.cancel();
        }
        a::block_on(a::util::sleep(1));
    });
}

#[test]
fn timeout_passes_the_value_or_reports_the_limit() {
    on_fresh_thread(|| {
        a::block_on(async {
            assert_eq!(a::util::timeout(10_000, async { 7 }).await, Ok(7));
            let (dropped, f) = flag();
            let slow = async move {
                let _f = f;
                a::util::sleep(60_000).await
            };
            let err = a::util::timeout(Duration::from_millis(3), slow)
                .await
                .unwrap_err();
            assert_eq!(
                err,
                a::Error::Timeout {
                    after: Duration::from_millis(3)
                }
            );
            assert!(dropped.get(), "the timed-out future was dropped");
        });
    });
}

#[test]
fn util_block_on_fails_on_timeout_instead_of_returning_nothing() {
    on_fresh_thread(|| {
        assert_eq!(a::util::block_on(async { "ok" }, 10_000), Ok("ok"));
        let err = a::util::block_on(a::util::sleep(60_000), 5).unwrap_err();
        assert!(err.is_timeout());
        assert_eq!(err.to_string(), "timed out after 5ms");
    });
}

#[test]
fn join_waits_for_all_and_keeps_order() {
    on_fresh_thread(|| {
        let out = a::block_on(a::util::join((0..5u64).map(|i| async move {
            a::util::sleep(10 - 2 * i).await;
            i
        })));
        assert_eq!(out, vec![0, 1, 2, 3, 4]);
    });
}

#[test]
fn join_of_nothing_returns_at_once() {
    on_fresh_thread(|| {
        let empty: Vec<std::future::Pending<()>> = Vec::new();
        let r = a::util::block_on(a::util::join(empty), 10_000);
        assert_eq!(r, Ok(vec![]));
    });
}

#[test]
fn join_macro_mixes_types() {
    on_fresh_thread(|| {
        let (x, y, z) = a::block_on(async {
            a::join!(
                async {
                    a::util::sleep(3).await;
                    1u8
                },
                async { "two" },
                a::util::sleep(1),
            )
        });
        assert_eq!((x, y, z), (1, "two", ()));
    });
}

type Boxed<T> = Pin<Box<dyn Future<Output = T>>>;

#[test]
fn race_returns_the_first_and_drops_the_losers() {
    on_fresh_thread(|| {
        let (slow_dropped, f) = flag();
        let futures: Vec<Boxed<&str>> = vec![
            Box::pin(async move {
                let _f = f;
                a::util::sleep(60_000).await;
                "slow"
            }),
            Box::pin(async {
                a::util::sleep(1).await;
                "fast"
            }),
        ];
        let winner = a::block_on(a::util::race(futures));
        assert_eq!(winner, "fast");
        assert!(
            slow_dropped.get(),
            "the loser was dropped when the winner finished"
        );
    });
}

#[test]
#[should_panic(expected = "at least one future")]
fn race_of_nothing_panics_with_a_reason() {
    let empty: Vec<std::future::Pending<()>> = Vec::new();
    a::block_on(a::util::race(empty));
}

#[test]
fn run_first_takes_the_first_callback_and_ignores_the_rest() {
    on_fresh_thread(|| {
        // "a" calls back from a task at once; "b" and "c" wait for a gate
        // the test opens once the first result is in, then call back into
        // nothing.
        let gate = a::control::Condvar::new();
        let late_calls = Rc::new(Cell::new(0));
        let later = |v: &'static str| {
            let (gate, late_calls) = (gate.clone(), late_calls.clone());
            move |done: a::Callback<&'static str>| {
                a::spawn(async move {
                    gate.wait().await;
                    done.call(v);
                    late_calls.set(late_calls.get() + 1);
                })
                .detach();
            }
        };
        let now = |v: &'static str| {
            move |done: a::Callback<&'static str>| {
                a::spawn(async move { done.call(v) }).detach();
            }
        };
        let fns: Vec<Box<dyn FnOnce(a::Callback<&'static str>)>> = vec![
            Box::new(later("b")),
            Box::new(now("a")),
            Box::new(later("c")),
        ];
        let first = a::block_on(a::util::run_first(fns));
        assert_eq!(first, Ok("a"));
        assert_eq!(gate.notify_all(), 2);
        wait_until(|| late_calls.get() == 2);
    });
}

#[test]
fn run_first_of_nothing_fails_at_once() {
    on_fresh_thread(|| {
        let none: Vec<fn(a::Callback<u8>)> = Vec::new();
        let r = a::block_on(a::util::run_first(none));
        assert!(matches!(r, Err(a::Error::CallbackDropped { .. })));
    });
}

#[test]
fn scheduler_lets_queued_tasks_and_timers_run_first() {
    on_fresh_thread(|| {
        let log = Rc::new(RefCell::new(Vec::new()));
        let l = log.clone();
        a::block_on(async move {
            let l2 = l.clone();
            a::spawn(async move { l2.borrow_mut().push("other task") }).detach();
            l.borrow_mut().push("before yield");
            a::util::scheduler().await;
            l.borrow_mut().push("after yield");
        });
        assert_eq!(
            *log.borrow(),
            vec!["before yield", "other task", "after yield"]
        );
    });
}

#[test]
fn scheduler_gives_the_loop_a_turn() {
    on_fresh_thread(|| {
        // A task that only yields with scheduler() must let a timer fire.
        let fired = Rc::new(Cell::new(false));
        let f = fired.clone();
        a::spawn(async move {
            a::util::sleep(2).await;
            f.set(true);
        })
        .detach();
        let f = fired.clone();
        let r = a::util::block_on(
            async move {
                while !f.get() {
                    a::util::scheduler().await;
                }
            },
            Duration::from_secs(20),
        );
        assert_eq!(r, Ok(()));
    });
}

#[test]
fn protected_and_apcall_turn_panics_into_errors() {
    on_fresh_thread(|| {
        a::block_on(async {
            assert_eq!(a::util::protected(async { 1 }).await, Ok(1));
            let line = line!() + 1;
            let err = a::util::protected(async { panic!("oops {}", 1) })
                .await
                .unwrap_err();
            match err {
                a::JoinError::Panicked {
                    message,
                    location,
                    payload,
                } => {
                    assert_eq!(message, "oops 1");
                    assert_eq!(location.line(), line);
                    // The payload is kept: the panic can be resumed.
                    let payload = payload.into_inner();
                    assert_eq!(a::panic_message(&*payload), "oops 1");
                }
                other => panic!("{other:?}"),
            }
            async fn div(pair: (u32, u32)) -> u32 {
                pair.0 / pair.1
            }
            assert_eq!(a::util::apcall(div, (6, 3)).await, Ok(2));
            assert!(a::util::apcall(div, (1, 0)).await.is_err());
        });
    });
}

#[test]
fn will_block_makes_a_blocking_function() {
    on_fresh_thread(|| {
        let f = a::util::will_block(
            || async {
                a::util::sleep(1).await;
                3
            },
            10_000,
        );
        assert_eq!(f(), Ok(3));
        assert_eq!(f(), Ok(3));
    });
}

/// `race!` over futures of three different types: the first to finish
/// wins, and the losers' destructors run when the race resolves.
#[a::test]
async fn race_macro_takes_futures_of_different_types_and_drops_the_losers() {
    let (dropped, flag) = flag();
    let loser = async move {
        let _flag = flag;
        a::util::sleep(60_000).await;
        0u32
    };
    let winner = async {
        a::util::sleep(1).await;
        7u32
    };
    let ready_later = async {
        a::util::scheduler().await;
        a::util::sleep(30_000).await;
        1u32
    };
    assert_eq!(a::race!(loser, winner, ready_later).await, 7);
    assert!(dropped.get(), "the loser was dropped");
    // A tie goes to the earliest listed.
    assert_eq!(a::race!(async { "a" }, async { "b" }).await, "a");
}

/// `run_first!` over closures of different types (no boxing by the caller).
#[a::test]
async fn run_first_macro_takes_closures_of_different_types() {
    let captured = String::from("captured");
    let slow = move |done: a::Callback<String>| {
        a::spawn(async move {
            a::util::sleep(60_000).await;
            done.call(captured);
        })
        .detach();
    };
    let fast = |done: a::Callback<String>| done.call("fast".to_owned());
    assert_eq!(a::run_first!(slow, fast).await.unwrap(), "fast");
}
