//! The primitives of `control/` on the executor core with no libuv, so
//! that they run under Miri (`cargo +nightly miri test -p plenary-async
//! --lib`): every channel, the Semaphore's FIFO order and a canceled
//! acquire, the Condvar's notify_one and notify_all.

use crate::control::channel::{counter, mpsc, oneshot};
use crate::control::{Condvar, Semaphore};
use crate::runtime::core_tests::{run, with_executor};
use crate::util::yield_now;
use std::cell::RefCell;
use std::rc::Rc;

#[test]
fn oneshot_delivers_once_and_reports_a_dropped_sender() {
    with_executor(|ex, _, _| {
        run(ex, async {
            let (tx, rx) = oneshot::<&str>();
            let t = crate::spawn(rx);
            yield_now().await;
            tx.send("hi").unwrap();
            assert_eq!(t.await.unwrap(), Ok("hi"));
            let (tx, rx) = oneshot::<u8>();
            drop(tx);
            assert!(rx.await.is_err());
        });
    });
}

#[test]
fn mpsc_keeps_order_across_producers_and_bounded_waits_for_room() {
    with_executor(|ex, _, _| {
        run(ex, async {
            let (tx, mut rx) = mpsc::<u32>();
            let tx2 = tx.clone();
            let a = crate::spawn(async move {
                for i in 0..5 {
                    tx.send(i).unwrap();
                    yield_now().await;
                }
            });
            let b = crate::spawn(async move {
                for i in 100..105 {
                    tx2.send(i).unwrap();
                    yield_now().await;
                }
            });
            let mut got = Vec::new();
            while let Some(v) = rx.recv().await {
                got.push(v);
            }
            a.await.unwrap();
            b.await.unwrap();
            let (low, high): (Vec<u32>, Vec<u32>) = got.iter().partition(|&&v| v < 100);
            assert_eq!(low, [0, 1, 2, 3, 4]);
            assert_eq!(high, [100, 101, 102, 103, 104]);

            let (btx, mut brx) = crate::control::channel::mpsc::bounded::<u32>(1);
            let sender = crate::spawn(async move {
                for i in 0..4 {
                    btx.send(i).await.unwrap();
                }
            });
            let mut got = Vec::new();
            while let Some(v) = brx.recv().await {
                got.push(v);
            }
            sender.await.unwrap();
            assert_eq!(got, [0, 1, 2, 3]);
        });
    });
}

#[test]
fn counter_counts_and_last_takes_everything() {
    with_executor(|ex, _, _| {
        run(ex, async {
            let (tx, rx) = counter();
            tx.send();
            tx.send();
            tx.send();
            rx.recv().await.unwrap();
            assert_eq!(rx.last().await.unwrap(), 2);
        });
    });
}

#[test]
fn semaphore_serves_waiters_first_come_first_served_and_forgets_canceled_ones() {
    with_executor(|ex, _, _| {
        run(ex, async {
            let sem = Rc::new(Semaphore::new(1));
            let order = Rc::new(RefCell::new(Vec::new()));
            let held = sem.acquire().await;
            let mut waiters = Vec::new();
            for i in 0..4 {
                let (sem, order) = (sem.clone(), order.clone());
                waiters.push(crate::spawn(async move {
                    let _p = sem.acquire().await;
                    order.borrow_mut().push(i);
                    yield_now().await;
                }));
                yield_now().await; // each is waiting before the next comes
            }
            waiters[2].cancel(); // a canceled waiter gives up its place
            drop(held);
            for w in waiters {
                let _ = w.await;
            }
            assert_eq!(*order.borrow(), [0, 1, 3]);
            assert_eq!(sem.available_permits(), 1);
        });
    });
}

#[test]
fn condvar_notify_one_wakes_the_longest_waiter_and_notify_all_the_rest() {
    with_executor(|ex, _, _| {
        run(ex, async {
            let cv = Rc::new(Condvar::new());
            let order = Rc::new(RefCell::new(Vec::new()));
            let mut tasks = Vec::new();
            for i in 0..3 {
                let (cv, order) = (cv.clone(), order.clone());
                tasks.push(crate::spawn(async move {
                    cv.wait().await;
                    order.borrow_mut().push(i);
                }));
            }
            yield_now().await;
            assert_eq!(cv.waiting(), 3);
            assert!(cv.notify_one());
            yield_now().await;
            assert_eq!(*order.borrow(), [0]);
            assert_eq!(cv.notify_all(), 2);
            for t in tasks {
                t.await.unwrap();
            }
            assert_eq!(*order.borrow(), [0, 1, 2]);
        });
    });
}
