//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::cell::Cell;
use std::rc::Rc;

/// A loop owned by the test, standing in for a host such as Neovim.
pub struct HostLoop {
    pub ptr: *mut std::ffi::c_void,
    inner: Option<plenary_async::runtime::Loop>,
}

impl HostLoop {
    pub fn new() -> HostLoop {
        let inner = plenary_async::runtime::Loop::new().unwrap();
        HostLoop {
            ptr: inner.as_ptr(),
            inner: Some(inner),
        }
    }

    /// Runs the loop until nothing keeps it alive.
    pub fn run(&self) {
        self.inner.as_ref().unwrap().run();
    }

    pub fn run_nowait(&self) {
        self.inner.as_ref().unwrap().run_nowait();
    }
}

impl Drop for HostLoop {
    fn drop(&mut self) {
        if let Err((_, e)) = self.inner.take().unwrap().close() {
            panic!("host loop still has open handles: {e}");
        }
    }
}

/// Sets a flag when dropped: proves that a future's destructors ran.
pub struct DropFlag(pub Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

pub fn flag() -> (Rc<Cell<bool>>, DropFlag) {
    let f = Rc::new(Cell::new(false));
    (f.clone(), DropFlag(f))
}

/// Yields to the executor once by waking itself (no loop turn needed), like
/// tokio's `yield_now`.
pub async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
    .await
}

/// Spawns a task that is always ready (it yields by waking itself) until
/// `stop` is set: it would starve the loop if the executor had no budget.
pub fn spawn_busy_until(stop: &Rc<Cell<bool>>) {
    let stop = stop.clone();
    plenary_async::spawn(async move {
        while !stop.get() {
            yield_now().await;
        }
    })
    .detach();
}

/// Runs `f` on a fresh thread (so on a fresh runtime) and returns its result.
pub fn on_fresh_thread<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::spawn(f)
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// The message of a caught panic (the runtime's own text).
pub fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    plenary_async::panic_message(&*payload)
}

/// Drives the loop until `cond` holds (or fails the test after a generous
/// 60 s): waits for an effect without betting on how long it takes.
pub fn wait_until(cond: impl Fn() -> bool) {
    let r = plenary_async::util::block_on(
        async {
            while !cond() {
                plenary_async::util::sleep(1).await;
            }
        },
        std::time::Duration::from_secs(60),
    );
    assert!(
        r.is_ok(),
        "the awaited condition did not come true within 60 s"
    );
}

/// Writes 64 KiB blocks (and flushes) until writing fails, as it must to a
/// closed peer or an exited process; gives up after `tries` blocks. Returns
/// the runtime's error.
pub async fn write_until_failure<W>(w: &mut W, tries: usize) -> plenary_async::Error
where
    W: futures_util::AsyncWrite + Unpin,
{
    use futures_util::AsyncWriteExt;
    for _ in 0..tries {
        let r = async {
            w.write_all(&[0u8; 65536]).await?;
            w.flush().await
        }
        .await;
        if let Err(e) = r {
            let inner = e
                .into_inner()
                .expect("an io::Error made from the runtime's error");
            return *inner
                .downcast::<plenary_async::Error>()
                .expect("the runtime's error");
        }
        plenary_async::util::sleep(1).await;
    }
    panic!("writing never failed after {tries} blocks");
}

/// Starts `fut` with one poll (so that its request or handle is submitted to
/// libuv) and drops it: a future cancelled mid-flight.
pub fn start_and_drop<F: std::future::Future>(fut: F) {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let _ = fut.as_mut().poll(&mut cx);
}

/// Asserts that `err` is libuv's error `name` (`"EADDRINUSE"`, …).
#[track_caller]
pub fn assert_uv_error(err: &plenary_async::Error, name: &str) {
    assert!(
        matches!(err, plenary_async::Error::Uv { name: n, .. } if *n == name),
        "expected {name}, got {err}"
    );
}

/// Lets every task that is ready run up to its next wait, and the tasks
/// those wake, a few hops deep: a number of loop turns, never a time. For
/// checking that a task is blocked (it did not finish after `settle`) or
/// that a wake reached it.
pub async fn settle() {
    for _ in 0..8 {
        plenary_async::util::scheduler().await;
    }
}
