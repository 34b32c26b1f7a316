//! `wrap` and `Callback`: the bridge from callbacks to futures.

mod common;

use common::*;
use plenary_async as a;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn double_later(x: u32, done: a::Callback<u32>) {
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(2));
        done.call(x * 2);
    });
}

#[test]
fn a_wrapped_function_awaits_a_callback_called_from_another_thread() {
    on_fresh_thread(|| {
        let double = a::wrap(double_later);
        assert_eq!(a::block_on(double(21)), Ok(42));
    });
}

#[test]
fn a_callback_called_synchronously_completes_at_once() {
    on_fresh_thread(|| {
        let now = a::wrap(|x: u32, done: a::Callback<u32>| done.call(x + 1));
        assert_eq!(a::block_on(now(1)), Ok(2));
    });
}

#[test]
fn the_original_function_stays_callable_directly() {
    on_fresh_thread(|| {
        let _wrapped = a::wrap(double_later);
        let (tx, rx) = std::sync::mpsc::channel();
        double_later(5, a::Callback::from_fn(move |v| tx.send(v).unwrap()));
        assert_eq!(rx.recv_timeout(Duration::from_secs(20)), Ok(10));
    });
}

#[test]
fn a_callback_dropped_uncalled_ends_the_wait_with_an_error_naming_the_wrap() {
    on_fresh_thread(|| {
        let line = line!() + 1;
        let lost = a::wrap(|_x: u32, done: a::Callback<u32>| drop(done));
        let err = a::block_on(lost(1)).unwrap_err();
        match &err {
            a::Error::CallbackDropped { location } => {
                assert!(location.file().ends_with("wrap.rs"));
                assert_eq!(location.line(), line);
            }
            other => panic!("expected CallbackDropped, got {other:?}"),
        }
        assert!(err.to_string().contains("dropped without being called"));
    });
}

#[test]
fn a_callback_dropped_later_on_another_thread_ends_the_wait() {
    on_fresh_thread(|| {
        let lost = a::wrap(|done: a::Callback<()>| {
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(5));
                drop(done);
            });
        });
        let r = a::util::block_on(lost(), Duration::from_secs(20));
        assert!(matches!(r, Ok(Err(a::Error::CallbackDropped { .. }))));
    });
}

#[test]
fn a_callback_outliving_its_future_is_harmless() {
    on_fresh_thread(|| {
        let (cb, fut) = a::Callback::<Vec<u8>>::pair();
        drop(fut);
        cb.call(vec![1, 2, 3]); // the value is simply dropped
    });
}

#[test]
fn a_wrapped_function_may_spawn_async_work() {
    // plenary's wrapped functions cannot call async functions; here the
    // callback-style function may start a task that awaits and calls back.
    on_fresh_thread(|| {
        let slow_add = a::wrap(|x: u32, y: u32, done: a::Callback<u32>| {
            a::spawn(async move {
                a::util::sleep(2).await;
                done.call(x + y);
            })
            .detach();
        });
        assert_eq!(a::block_on(slow_add(2, 2)), Ok(4));
    });
}

#[test]
fn a_canceled_task_leaves_its_callback_harmless() {
    on_fresh_thread(|| {
        let calls = Arc::new(AtomicUsize::new(0));
        let (cb, fut) = a::Callback::<u32>::pair();
        let task = a::spawn(fut);
        a::block_on(a::util::scheduler());
        task.cancel();
        let c = calls.clone();
        std::thread::spawn(move || {
            cb.call(1);
            c.fetch_add(1, Ordering::SeqCst);
        })
        .join()
        .unwrap();
        a::block_on(a::util::scheduler());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(a::block_on(task).unwrap_err().is_canceled());
    });
}
