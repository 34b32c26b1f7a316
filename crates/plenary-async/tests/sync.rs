//! `a::control::Condvar` and `a::control::Semaphore`.

mod common;

use common::*;

use a::control::{Condvar, Semaphore};
use plenary_async as a;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

const NEVER: Duration = Duration::from_millis(20);
const LIMIT: Duration = Duration::from_secs(30);

type Log = Rc<RefCell<Vec<usize>>>;

/// Spawns tasks 0..n that each wait once on `cv` and log their number.
fn spawn_waiters(cv: &Condvar, n: usize, log: &Log) -> Vec<a::Task<()>> {
    (0..n)
        .map(|i| {
            let (cv, log) = (cv.clone(), log.clone());
            a::spawn(async move {
                cv.wait().await;
                log.borrow_mut().push(i);
            })
        })
        .collect()
}

// ---- Condvar ----------------------------------------------------------

#[a::test]
async fn condvar_wait_blocks_until_notified() {
    let cv = Condvar::new();
    assert!(a::util::timeout(NEVER, cv.wait()).await.is_err());
    let task = a::spawn({
        let cv = cv.clone();
        async move { cv.wait().await }
    });
    settle().await;
    assert!(!task.is_finished());
    assert_eq!(cv.waiting(), 1);
    assert!(cv.notify_one());
    a::util::timeout(LIMIT, task).await.unwrap().unwrap();
    assert_eq!(cv.waiting(), 0);
}

#[a::test]
async fn condvar_notify_one_wakes_the_longest_waiter_first() {
    let cv = Condvar::new();
    let log = Log::default();
    let tasks = spawn_waiters(&cv, 5, &log);
    a::util::scheduler().await;
    for expected in 1..=5 {
        assert!(cv.notify_one());
        a::util::scheduler().await;
        assert_eq!(log.borrow().len(), expected, "one task per notify_one");
    }
    assert_eq!(*log.borrow(), [0, 1, 2, 3, 4]);
    a::util::join(tasks).await;
}

#[a::test]
async fn condvar_notify_all_wakes_only_the_current_waiters() {
    let cv = Condvar::new();
    let wakes = Rc::new(RefCell::new(vec![0usize; 4]));
    for i in 0..4 {
        let (cv, wakes) = (cv.clone(), wakes.clone());
        a::spawn(async move {
            loop {
                cv.wait().await;
                wakes.borrow_mut()[i] += 1; // then waits again at once
            }
        })
        .detach();
    }
    a::util::scheduler().await;
    assert_eq!(cv.notify_all(), 4);
    settle().await;
    assert_eq!(
        *wakes.borrow(),
        [1, 1, 1, 1],
        "woken once, now waiting anew"
    );
    assert_eq!(cv.waiting(), 4);
    assert_eq!(cv.notify_all(), 4);
    settle().await;
    assert_eq!(*wakes.borrow(), [2, 2, 2, 2]);
}

#[a::test]
async fn condvar_notifications_are_not_stored() {
    let cv = Condvar::new();
    assert!(!cv.notify_one());
    assert_eq!(cv.notify_all(), 0);
    assert!(a::util::timeout(NEVER, cv.wait()).await.is_err());
}

#[a::test]
async fn condvar_notify_one_to_a_cancelled_waiter_passes_to_the_next() {
    let cv = Condvar::new();
    let log = Log::default();
    let mut tasks = spawn_waiters(&cv, 2, &log);
    a::util::scheduler().await;
    cv.notify_one(); // chooses task 0...
    tasks[0].cancel(); // ...which is dropped before it runs
    a::util::timeout(LIMIT, tasks.pop().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(*log.borrow(), [1]);
}

#[a::test]
async fn condvar_a_waiter_dropped_from_the_middle_is_skipped() {
    let cv = Condvar::new();
    let log = Log::default();
    let tasks = spawn_waiters(&cv, 3, &log);
    a::util::scheduler().await;
    tasks[1].cancel();
    assert_eq!(cv.waiting(), 2);
    cv.notify_one();
    cv.notify_one();
    settle().await;
    assert_eq!(*log.borrow(), [0, 2]);
    assert!(!cv.notify_one());
}

// ---- Semaphore --------------------------------------------------------

#[a::test]
async fn semaphore_blocks_when_out_of_permits_and_release_unblocks() {
    let sem = Semaphore::new(2);
    let p1 = sem.acquire().await;
    let _p2 = sem.acquire().await;
    assert_eq!(sem.available_permits(), 0);
    let third = a::spawn({
        let sem = sem.clone();
        async move { sem.acquire().await }
    });
    settle().await;
    assert!(!third.is_finished());
    assert_eq!(sem.waiting(), 1);
    p1.release();
    let p3 = a::util::timeout(LIMIT, third).await.unwrap().unwrap();
    assert_eq!(sem.available_permits(), 0, "handed over, not banked");
    drop(p3);
    assert_eq!(sem.available_permits(), 1);
}

#[a::test]
async fn semaphore_serves_waiters_first_in_first_out() {
    let sem = Semaphore::new(1);
    let held = sem.acquire().await;
    let log = Log::default();
    let tasks: Vec<_> = (0..5)
        .map(|i| {
            let (sem, log) = (sem.clone(), log.clone());
            a::spawn(async move {
                let _permit = sem.acquire().await;
                log.borrow_mut().push(i);
                a::util::sleep(1).await;
            })
        })
        .collect();
    a::util::scheduler().await;
    drop(held);
    a::util::join(tasks).await;
    assert_eq!(
        *log.borrow(),
        [0, 1, 2, 3, 4],
        "plenary would give 4, 3, 2, 1, 0"
    );
}

#[a::test]
async fn semaphore_try_acquire_never_overtakes_a_waiter() {
    let sem = Semaphore::new(1);
    let held = sem.try_acquire().unwrap();
    let waiter = a::spawn({
        let sem = sem.clone();
        async move { sem.acquire().await.release() }
    });
    a::util::scheduler().await;
    drop(held); // goes to the waiter, not to whoever asks next
    assert!(sem.try_acquire().is_none());
    waiter.await.unwrap();
    assert!(sem.try_acquire().is_some());
}

#[a::test]
async fn semaphore_a_cancelled_waiter_never_loses_a_permit() {
    let sem = Semaphore::new(1);
    let held = sem.acquire().await;
    let spawn_acquire = || {
        let sem = sem.clone();
        a::spawn(async move { sem.acquire().await.release() })
    };
    // Cancelled while queued.
    let queued = spawn_acquire();
    let next = spawn_acquire();
    a::util::scheduler().await;
    queued.cancel();
    assert_eq!(sem.waiting(), 1);
    drop(held);
    a::util::timeout(LIMIT, next).await.unwrap().unwrap();
    assert_eq!(sem.available_permits(), 1);
    // Cancelled after the permit was handed to it, before it ran.
    let held = sem.acquire().await;
    let served = spawn_acquire();
    a::util::scheduler().await;
    drop(held);
    served.cancel();
    assert_eq!(sem.available_permits(), 1, "the permit came back");
    assert_eq!(sem.waiting(), 0);
}

#[a::test]
async fn semaphore_with_zero_permits_waits_for_added_ones() {
    let sem = Semaphore::new(0);
    assert!(a::util::timeout(NEVER, sem.acquire()).await.is_err());
    assert_eq!(
        sem.available_permits(),
        0,
        "the dropped acquire took nothing"
    );
    let waiter = a::spawn({
        let sem = sem.clone();
        async move { sem.acquire().await }
    });
    a::util::scheduler().await;
    sem.add_permits(2);
    assert_eq!(sem.available_permits(), 1, "one went to the waiter");
    drop(waiter.await.unwrap());
    assert_eq!(sem.available_permits(), 2);
}

#[a::test]
async fn semaphore_permit_moves_into_a_task_and_returns_when_it_ends_or_is_cancelled() {
    let sem = Semaphore::new(1);
    let permit = sem.acquire().await;
    let done = Rc::new(Cell::new(false));
    let d = done.clone();
    let worker = a::spawn(async move {
        let _permit = permit;
        a::util::sleep(1).await;
        d.set(true);
    });
    assert_eq!(sem.available_permits(), 0);
    worker.await.unwrap();
    assert!(done.get());
    assert_eq!(sem.available_permits(), 1);

    let permit = sem.acquire().await;
    let stuck = a::spawn(async move {
        let _permit = permit;
        std::future::pending::<()>().await;
    });
    a::util::scheduler().await;
    assert_eq!(sem.available_permits(), 0);
    stuck.cancel();
    assert_eq!(sem.available_permits(), 1);
}

#[a::test]
async fn semaphore_bounds_concurrency() {
    let sem = Semaphore::new(3);
    let (now, peak) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let (sem, now, peak) = (sem.clone(), now.clone(), peak.clone());
            a::spawn(async move {
                let _permit = sem.acquire().await;
                now.set(now.get() + 1);
                peak.set(peak.get().max(now.get()));
                a::util::sleep(i % 3).await;
                now.set(now.get() - 1);
            })
        })
        .collect();
    a::util::join(tasks).await;
    assert_eq!(peak.get(), 3);
    assert_eq!(sem.available_permits(), 3);
}
