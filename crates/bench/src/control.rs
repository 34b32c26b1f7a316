//! The control issue's workloads: `a::control` against `tokio::sync` on
//! tokio's current-thread runtime (with a `LocalSet`) and against smol's
//! async-channel, async-lock and event-listener on async-executor's
//! `LocalExecutor`.
//!
//! The harness (spawning, joining, yielding) is shared; only the primitive
//! under test differs between the three columns.

use crate::{tokio_runtime, Rt};
use plenary_async as a;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

type Join = Pin<Box<dyn Future<Output = ()>>>;

/// Spawns on whichever executor runs the workload.
#[derive(Clone)]
enum Spawner {
    Plenary,
    Tokio,
    Smol(Rc<async_executor::LocalExecutor<'static>>),
}

impl Spawner {
    fn spawn(&self, f: impl Future<Output = ()> + 'static) -> Join {
        match self {
            Spawner::Plenary => {
                let t = a::spawn(f);
                Box::pin(async move { t.await.unwrap() })
            }
            Spawner::Tokio => {
                let t = tokio::task::spawn_local(f);
                Box::pin(async move { t.await.unwrap() })
            }
            Spawner::Smol(ex) => Box::pin(ex.spawn(f)),
        }
    }
}

async fn join_all(tasks: Vec<Join>) {
    for t in tasks {
        t.await;
    }
}

/// Runs `body` on `rt`'s executor and returns what it returns.
fn run<F: Future<Output = Duration> + 'static>(
    rt: Rt,
    body: impl FnOnce(Spawner) -> F,
) -> Duration {
    match rt {
        Rt::Plenary => a::block_on(body(Spawner::Plenary)),
        Rt::Tokio => {
            let runtime = tokio_runtime();
            let local = tokio::task::LocalSet::new();
            local.block_on(&runtime, body(Spawner::Tokio))
        }
        Rt::Smol => {
            let ex = Rc::new(async_executor::LocalExecutor::new());
            async_io::block_on(ex.run(body(Spawner::Smol(ex.clone()))))
        }
    }
}

/// Yields to the executor by waking itself (the same code on every runtime).
fn yield_now() -> impl Future<Output = ()> {
    let mut yielded = false;
    std::future::poll_fn(move |cx: &mut Context<'_>| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
}

// ---- oneshot round trips ------------------------------------------------

/// Each message carries the sender for the reply; a round trip is two
/// oneshot channels created, sent on and awaited.
struct Ball(a::control::channel::oneshot::Sender<Ball>);
struct TokioBall(tokio::sync::oneshot::Sender<TokioBall>);
struct SmolBall(async_channel::Sender<SmolBall>);

async fn plenary_player(mut rx: a::control::channel::oneshot::Receiver<Ball>, n: usize) {
    for _ in 0..n {
        let Ok(Ball(reply)) = rx.await else { return };
        let (tx, next) = a::control::channel::oneshot();
        let _ = reply.send(Ball(tx));
        rx = next;
    }
}

async fn tokio_player(mut rx: tokio::sync::oneshot::Receiver<TokioBall>, n: usize) {
    for _ in 0..n {
        let Ok(TokioBall(reply)) = rx.await else {
            return;
        };
        let (tx, next) = tokio::sync::oneshot::channel();
        let _ = reply.send(TokioBall(tx));
        rx = next;
    }
}

async fn smol_player(mut rx: async_channel::Receiver<SmolBall>, n: usize) {
    for _ in 0..n {
        let Ok(SmolBall(reply)) = rx.recv().await else {
            return;
        };
        let (tx, next) = async_channel::bounded(1);
        let _ = reply.try_send(SmolBall(tx));
        rx = next;
    }
}

/// `n` round trips between two tasks, each through two fresh oneshots.
pub fn oneshot_round_trips(rt: Rt, n: usize) -> Duration {
    run(rt, move |sp| async move {
        let start = Instant::now();
        let players = match rt {
            Rt::Plenary => {
                let (to_a, rx_a) = a::control::channel::oneshot();
                let (to_b, rx_b) = a::control::channel::oneshot();
                let _ = to_a.send(Ball(to_b));
                vec![
                    sp.spawn(plenary_player(rx_a, n)),
                    sp.spawn(plenary_player(rx_b, n)),
                ]
            }
            Rt::Tokio => {
                let (to_a, rx_a) = tokio::sync::oneshot::channel();
                let (to_b, rx_b) = tokio::sync::oneshot::channel();
                let _ = to_a.send(TokioBall(to_b));
                vec![
                    sp.spawn(tokio_player(rx_a, n)),
                    sp.spawn(tokio_player(rx_b, n)),
                ]
            }
            Rt::Smol => {
                let (to_a, rx_a) = async_channel::bounded(1);
                let (to_b, rx_b) = async_channel::bounded(1);
                let _ = to_a.try_send(SmolBall(to_b));
                vec![
                    sp.spawn(smol_player(rx_a, n)),
                    sp.spawn(smol_player(rx_b, n)),
                ]
            }
        };
        join_all(players).await;
        start.elapsed()
    })
}

// ---- mpsc -----------------------------------------------------------------

const PRODUCERS: usize = 4;
/// Producers yield after every batch, so that the consumer keeps up.
const BATCH: usize = 256;
/// The bounded channel's capacity.
pub const CAPACITY: usize = 1024;

/// `n` messages from 4 producer tasks to one consumer; `bounded` selects a
/// channel of [`CAPACITY`] (sends wait while it is full).
pub fn mpsc(rt: Rt, n: usize, bounded: bool) -> Duration {
    let per_producer = n / PRODUCERS;
    run(rt, move |sp| async move {
        let start = Instant::now();
        let total = Rc::new(Cell::new(0u64));
        let mut tasks = Vec::new();
        macro_rules! produce {
            ($tx:expr, |$t:ident, $i:ident| $send:expr) => {
                for _ in 0..PRODUCERS {
                    let $t = $tx.clone();
                    tasks.push(sp.spawn(async move {
                        for $i in 0..per_producer as u64 {
                            $send;
                            if $i % BATCH as u64 == 0 {
                                yield_now().await;
                            }
                        }
                    }));
                }
                drop($tx);
            };
        }
        macro_rules! consume {
            ($rx:ident, $recv:expr) => {{
                let total = total.clone();
                tasks.push(sp.spawn(async move {
                    let mut sum = 0;
                    while let Some(v) = $recv {
                        sum += v;
                    }
                    total.set(sum);
                }));
            }};
        }
        match (rt, bounded) {
            (Rt::Plenary, false) => {
                let (tx, mut rx) = a::control::channel::mpsc();
                produce!(tx, |t, i| t.send(i).unwrap());
                consume!(rx, rx.recv().await);
            }
            (Rt::Plenary, true) => {
                let (tx, mut rx) = a::control::channel::mpsc::bounded(CAPACITY);
                produce!(tx, |t, i| t.send(i).await.unwrap());
                consume!(rx, rx.recv().await);
            }
            (Rt::Tokio, false) => {
                let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                produce!(tx, |t, i| t.send(i).unwrap());
                consume!(rx, rx.recv().await);
            }
            (Rt::Tokio, true) => {
                let (tx, mut rx) = tokio::sync::mpsc::channel(CAPACITY);
                produce!(tx, |t, i| t.send(i).await.unwrap());
                consume!(rx, rx.recv().await);
            }
            (Rt::Smol, false) => {
                let (tx, rx) = async_channel::unbounded();
                produce!(tx, |t, i| t.try_send(i).unwrap());
                consume!(rx, rx.recv().await.ok());
            }
            (Rt::Smol, true) => {
                let (tx, rx) = async_channel::bounded(CAPACITY);
                produce!(tx, |t, i| t.send(i).await.unwrap());
                consume!(rx, rx.recv().await.ok());
            }
        }
        join_all(tasks).await;
        let per = per_producer as u64;
        assert_eq!(
            total.get(),
            PRODUCERS as u64 * per * (per - 1) / 2,
            "lost messages"
        );
        start.elapsed()
    })
}

// ---- semaphore --------------------------------------------------------------

const SEM_TASKS: usize = 100;
/// Permits of the contended semaphore: 100 tasks share 10.
pub const PERMITS: usize = 10;

/// `n` acquire/release pairs among 100 tasks sharing 10 permits; each task
/// yields while it holds its permit, so 90 are always queued.
pub fn semaphore(rt: Rt, n: usize) -> Duration {
    let per_task = n / SEM_TASKS;
    run(rt, move |sp| async move {
        let start = Instant::now();
        let inside = Rc::new(Cell::new(0usize));
        let mut tasks = Vec::new();
        macro_rules! contend {
            ($sem:expr, |$s:ident| $acquire:expr) => {
                for _ in 0..SEM_TASKS {
                    let (sem, inside) = ($sem.clone(), inside.clone());
                    tasks.push(sp.spawn(async move {
                        for _ in 0..per_task {
                            let $s = &sem;
                            let permit = $acquire;
                            inside.set(inside.get() + 1);
                            assert!(inside.get() <= PERMITS);
                            yield_now().await;
                            inside.set(inside.get() - 1);
                            drop(permit);
                        }
                    }));
                }
            };
        }
        match rt {
            Rt::Plenary => {
                let sem = a::control::Semaphore::new(PERMITS);
                contend!(sem, |s| s.acquire().await);
            }
            Rt::Tokio => {
                let sem = Rc::new(tokio::sync::Semaphore::new(PERMITS));
                contend!(sem, |s| s.acquire().await.unwrap());
            }
            Rt::Smol => {
                let sem = Rc::new(async_lock::Semaphore::new(PERMITS));
                contend!(sem, |s| s.acquire().await);
            }
        }
        join_all(tasks).await;
        start.elapsed()
    })
}

// ---- notify all -------------------------------------------------------------

/// `waiters` tasks wait, one task notifies them all; `rounds` times.
pub fn notify_all(rt: Rt, waiters: usize, rounds: usize) -> Duration {
    run(rt, move |sp| async move {
        let start = Instant::now();
        let ready = Rc::new(Cell::new(0usize));
        let woken = Rc::new(Cell::new(0usize));
        let mut tasks = Vec::new();
        macro_rules! wait_and_notify {
            ($shared:expr, |$w:ident| $wait:expr, |$n:ident| $notify:expr) => {{
                for _ in 0..waiters {
                    let ($w, ready, woken) = ($shared.clone(), ready.clone(), woken.clone());
                    tasks.push(sp.spawn(async move {
                        for _ in 0..rounds {
                            // Registered before `ready` counts it.
                            let wait = $wait;
                            ready.set(ready.get() + 1);
                            wait.await;
                            woken.set(woken.get() + 1);
                        }
                    }));
                }
                let ($n, ready) = ($shared.clone(), ready.clone());
                tasks.push(sp.spawn(async move {
                    for _ in 0..rounds {
                        while ready.get() < waiters {
                            yield_now().await;
                        }
                        ready.set(0);
                        $notify;
                    }
                }));
            }};
        }
        match rt {
            Rt::Plenary => {
                let cv = a::control::Condvar::new();
                // `wait()` registers on its first poll, which the `.await`
                // right after `ready` is counted does before anything else runs.
                wait_and_notify!(cv, |c| c.wait(), |c| c.notify_all());
            }
            Rt::Tokio => {
                let notify = Rc::new(tokio::sync::Notify::new());
                wait_and_notify!(
                    notify,
                    |n| {
                        // `notify_waiters` reaches a `Notified` from its creation.
                        let n = n.clone();
                        async move { n.notified().await }
                    },
                    |n| n.notify_waiters()
                );
            }
            Rt::Smol => {
                let event = Rc::new(event_listener::Event::new());
                wait_and_notify!(event, |e| e.listen(), |e| e.notify(usize::MAX));
            }
        }
        join_all(tasks).await;
        assert_eq!(woken.get(), waiters * rounds, "lost wake-ups");
        start.elapsed()
    })
}
