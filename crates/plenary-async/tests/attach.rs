//! The embedded mode: a runtime attached to a loop that a host owns and runs.

mod common;

use common::*;
use plenary_async as a;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

#[test]
fn tasks_run_from_the_hosts_loop() {
    on_fresh_thread(|| {
        let host = HostLoop::new();
        // SAFETY: the host loop is live, run on this thread, and outlives the
        // runtime (detached below before the loop is closed).
        let rt = unsafe { a::Runtime::attach(host.ptr.cast()) };
        assert!(rt.is_attached());
        let log = Rc::new(RefCell::new(Vec::new()));
        for i in 0..3 {
            let l = log.clone();
            a::spawn(async move {
                a::util::sleep(i * 10).await;
                l.borrow_mut().push(i);
            })
            .detach();
        }
        host.run(); // returns once no handle keeps the loop alive
                    // (Which timer fires first is util.rs's business: here, that all
                    // of them fired from the host's loop.)
        log.borrow_mut().sort_unstable();
        assert_eq!(*log.borrow(), vec![0, 1, 2]);
        rt.uninstall();
    });
}

#[test]
fn the_runtime_does_not_keep_the_hosts_loop_alive() {
    on_fresh_thread(|| {
        let host = HostLoop::new();
        // SAFETY: as above.
        let rt = unsafe { a::Runtime::attach(host.ptr.cast()) };
        let task = a::spawn(std::future::pending::<()>());
        host.run(); // must return: a pending task holds no handle
        assert!(!task.is_finished());
        drop(task);
        rt.uninstall();
    });
}

#[test]
fn block_on_on_an_attached_runtime_panics_with_a_reason() {
    on_fresh_thread(|| {
        let host = HostLoop::new();
        // SAFETY: as above.
        let rt = unsafe { a::Runtime::attach(host.ptr.cast()) };
        let caught = std::panic::catch_unwind(|| a::block_on(async {}));
        let message = panic_message(caught.unwrap_err());
        assert!(message.contains("attached to a host"), "{message}");
        rt.uninstall();
    });
}

#[test]
fn attaching_twice_panics_with_a_reason() {
    on_fresh_thread(|| {
        let _standalone = a::Runtime::current();
        let host = HostLoop::new();
        // SAFETY: as above; the call panics before it touches the loop's
        // handles for good (its idle handle is closed on unwind).
        let caught = std::panic::catch_unwind(|| unsafe { a::Runtime::attach(host.ptr.cast()) });
        let message = panic_message(caught.unwrap_err());
        assert!(message.contains("already has a runtime"), "{message}");
    });
}

#[test]
fn a_host_hook_decides_when_tasks_run() {
    on_fresh_thread(|| {
        let host = HostLoop::new();
        let notified = Rc::new(Cell::new(0));
        let n = notified.clone();
        // SAFETY: as above.
        let rt = unsafe { a::Runtime::attach_with(host.ptr.cast(), move || n.set(n.get() + 1)) };
        let ran = Rc::new(Cell::new(false));
        let r = ran.clone();
        a::spawn(async move { r.set(true) }).detach();
        assert_eq!(notified.get(), 1, "the host was told work is ready");
        a::spawn(async {}).detach();
        assert_eq!(notified.get(), 1, "at most once until the next tick");
        assert!(!ran.get(), "nothing runs until the host ticks");
        assert!(!rt.tick());
        assert!(ran.get());

        // A timer wakes a task inside the host's loop: the hook is called
        // from there and the host ticks.
        let done = Rc::new(Cell::new(false));
        let d = done.clone();
        a::spawn(async move {
            a::util::sleep(200).await;
            d.set(true);
        })
        .detach();
        let before = notified.get();
        assert!(!rt.tick());
        host.run();
        assert!(notified.get() > before);
        while rt.tick() {}
        assert!(done.get());
        rt.uninstall();
    });
}

#[test]
fn a_wake_from_another_thread_reaches_an_attached_runtime() {
    on_fresh_thread(|| {
        let host = HostLoop::new();
        // SAFETY: as above.
        let rt = unsafe { a::Runtime::attach(host.ptr.cast()) };
        let (cb, fut) = a::Callback::pair();
        let got = Rc::new(RefCell::new(None));
        let g = got.clone();
        // The timer keeps the host's loop alive while the other thread works.
        let task = a::spawn(async move {
            let v = a::util::timeout(Duration::from_secs(20), fut).await;
            *g.borrow_mut() = Some(v);
        });
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(10));
            cb.call(42);
        });
        host.run();
        t.join().unwrap();
        assert!(task.is_finished());
        assert_eq!(*got.borrow(), Some(Ok(Ok(42))));
        rt.uninstall();
    });
}

#[test]
fn busy_tasks_leave_the_hosts_callbacks_room_to_run() {
    on_fresh_thread(|| {
        let host = HostLoop::new();
        // SAFETY: as above.
        let rt = unsafe { a::Runtime::attach(host.ptr.cast()) };
        rt.set_budget(16);
        let stop = Rc::new(Cell::new(false));
        spawn_busy_until(&stop);
        let s = stop.clone();
        a::spawn(async move {
            a::util::sleep(5).await;
            s.set(true);
        })
        .detach();
        host.run(); // ends only if the timer got to fire between ticks
        assert!(stop.get());
        rt.uninstall();
    });
}

#[test]
fn detaching_with_a_task_waiting_on_a_handle_frees_the_task_and_the_handle() {
    // What Neovim does at exit: VimLeavePre detaches the runtime while a
    // task waits on a socket; then the host closes its loop. The task's
    // cell and the handle must both be freed (valgrind checks this test).
    on_fresh_thread(|| {
        let host = HostLoop::new();
        // SAFETY: the host loop is live, run on this thread, and outlives the
        // runtime (detached below before the loop is closed).
        let rt = unsafe { a::Runtime::attach_with(host.ptr.cast(), || {}) };
        let listener = a::uv::tcp::TcpListener::bind("127.0.0.1:0").unwrap();
        let (seen, flag) = flag();
        a::spawn(async move {
            let _flag = flag;
            while listener.accept().await.is_ok() {}
        })
        .detach();
        rt.tick(); // the task waits on accept
        host.run_nowait();
        rt.uninstall();
        assert!(seen.get(), "the task's future was dropped");
    });
}
