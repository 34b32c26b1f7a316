//! `Runtime::handle`: the `Send` way into a runtime from other threads.

mod common;

use common::*;
use plenary_async as a;
use std::cell::RefCell;
use std::rc::Rc;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn handles_and_remote_tasks_are_send() {
    assert_send_sync::<a::runtime::Handle>();
    assert_send_sync::<a::runtime::RemoteTask<String>>();
}

#[test]
fn work_sent_from_another_thread_runs_on_the_runtime_s_thread() {
    on_fresh_thread(|| {
        let runtime_thread = std::thread::current().id();
        let handle = a::Runtime::current().handle();
        let (done, result) = a::Callback::pair();
        std::thread::spawn(move || {
            let task = handle.spawn(move || {
                let in_closure = std::thread::current().id();
                async move {
                    let not_send = Rc::new(std::thread::current().id());
                    a::util::yield_now().await;
                    (in_closure, *not_send)
                }
            });
            done.call(task.wait());
        });
        let (in_closure, in_task) = a::block_on(result).unwrap().unwrap();
        assert_eq!(in_closure, runtime_thread);
        assert_eq!(in_task, runtime_thread);
    });
}

thread_local! {
    static LOG: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

#[test]
fn jobs_from_one_thread_start_in_the_order_they_were_sent() {
    on_fresh_thread(|| {
        LOG.with(|l| l.borrow_mut().clear());
        let handle = a::Runtime::current().handle();
        let (done, result) = a::Callback::pair();
        std::thread::spawn(move || {
            let tasks: Vec<_> = (0..5)
                .map(|i| {
                    handle.spawn(move || {
                        LOG.with(|l| l.borrow_mut().push(i));
                        async move { i * 10 }
                    })
                })
                .collect();
            let outputs: Vec<_> = tasks.into_iter().map(|t| t.wait().unwrap()).collect();
            done.call(outputs);
        });
        assert_eq!(a::block_on(result).unwrap(), [0, 10, 20, 30, 40]);
        assert_eq!(LOG.with(|l| l.borrow().clone()), [0, 1, 2, 3, 4]);
    });
}

#[test]
fn a_panic_in_the_closure_or_the_future_is_the_task_s_error_and_the_runtime_goes_on() {
    on_fresh_thread(|| {
        let handle = a::Runtime::current().handle();
        let (done, result) = a::Callback::pair();
        std::thread::spawn(move || {
            let in_closure = handle
                .spawn(|| -> std::future::Ready<()> { std::panic::resume_unwind(Box::new("in f")) })
                .wait();
            let in_future = handle
                .spawn(|| async { std::panic::resume_unwind(Box::new("in the future")) })
                .wait();
            let after = handle.spawn(|| async { 1 }).wait();
            done.call((in_closure, in_future, after));
        });
        let (in_closure, in_future, after) = a::block_on(result).unwrap();
        assert_eq!(in_closure.unwrap_err().panic_message(), Some("in f"));
        let err = in_future.unwrap_err();
        assert_eq!(err.panic_message(), Some("in the future"));
        assert_eq!(
            err.into_panic().downcast_ref::<&str>(),
            Some(&"in the future"),
            "the payload travels back"
        );
        assert_eq!(after, Ok(1));
    });
}

#[test]
fn a_runtime_that_shuts_down_cancels_queued_and_later_work() {
    on_fresh_thread(|| {
        let handle = a::Runtime::current().handle();
        // Queued before the runtime runs.
        let queued = handle.spawn(|| async { 1 });
        // Started, waiting when the runtime shuts down.
        let (started, running) = a::Callback::pair();
        let waiting = handle.spawn(move || {
            started.call(());
            std::future::pending::<()>()
        });
        // Run the runtime until the second job has started.
        let queued_result = std::thread::scope(|s| {
            let h = s.spawn(|| queued.wait());
            a::block_on(running).unwrap();
            h.join().unwrap()
        });
        assert_eq!(queued_result, Ok(1), "the first job ran before the second");
        a::Runtime::current().uninstall(); // the last handle: shut down
        let after = handle.spawn(|| async { 2 });
        let results = std::thread::spawn(move || (waiting.wait(), after.wait()))
            .join()
            .unwrap();
        assert_eq!(
            results,
            (Err(a::JoinError::Canceled), Err(a::JoinError::Canceled))
        );
    });
}

#[test]
fn a_remote_task_is_awaitable_on_the_runtime_too() {
    on_fresh_thread(|| {
        let handle = a::Runtime::current().handle();
        assert_eq!(a::block_on(handle.spawn(|| async { 5 })), Ok(5));
    });
}

#[test]
fn waiting_on_the_runtime_s_own_thread_panics_with_a_reason() {
    on_fresh_thread(|| {
        let handle = a::Runtime::current().handle();
        let task = handle.spawn(|| async { 5 });
        let err =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| task.wait())).unwrap_err();
        assert_eq!(
            a::panic_message(&*err),
            "plenary_async: RemoteTask::wait on the runtime's own thread would never return (await the task there instead)"
        );
    });
}
