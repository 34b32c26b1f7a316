//! Runs the runtime core's and `a::control`'s workloads on plenary-async, on
//! tokio's current-thread runtime with a `LocalSet`, and on async-executor's
//! `LocalExecutor`, in one process, and prints tables.
//!
//! `cargo run --release -p plenary-async-bench` (add `-- --quick` for a
//! smaller run, `-- core` or `-- control` for one group). Results go to
//! docs/BENCHMARKS.md by hand.

mod control;
mod uv;

use plenary_async as a;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// The three executors, behind one interface.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Rt {
    Plenary,
    Tokio,
    Smol,
}

impl Rt {
    fn name(self) -> &'static str {
        match self {
            Rt::Plenary => "plenary-async",
            Rt::Tokio => "tokio LocalSet",
            Rt::Smol => "async-executor",
        }
    }
}

const ALL: [Rt; 3] = [Rt::Plenary, Rt::Tokio, Rt::Smol];

/// tokio's current-thread runtime as `#[tokio::main(flavor = "current_thread")]`
/// builds it: with its I/O and time drivers, like plenary-async's loop.
pub(crate) fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Spawn-and-await `n` trivial tasks, in batches of 1,000 spawned then awaited.
fn spawn_await(rt: Rt, n: usize) -> Duration {
    const BATCH: usize = 1000;
    match rt {
        Rt::Plenary => a::block_on(async move {
            let start = Instant::now();
            let mut handles = Vec::with_capacity(BATCH);
            for _ in 0..n / BATCH {
                handles.extend((0..BATCH).map(|i| a::spawn(async move { i })));
                for h in handles.drain(..) {
                    std::hint::black_box(h.await.unwrap());
                }
            }
            start.elapsed()
        }),
        Rt::Tokio => {
            let runtime = tokio_runtime();
            let local = tokio::task::LocalSet::new();
            local.block_on(&runtime, async move {
                let start = Instant::now();
                let mut handles = Vec::with_capacity(BATCH);
                for _ in 0..n / BATCH {
                    handles.extend((0..BATCH).map(|i| tokio::task::spawn_local(async move { i })));
                    for h in handles.drain(..) {
                        std::hint::black_box(h.await.unwrap());
                    }
                }
                start.elapsed()
            })
        }
        Rt::Smol => {
            let ex = Rc::new(async_executor::LocalExecutor::new());
            let ex2 = ex.clone();
            async_io::block_on(ex.run(async move {
                let start = Instant::now();
                let mut handles = Vec::with_capacity(BATCH);
                for _ in 0..n / BATCH {
                    handles.extend((0..BATCH).map(|i| ex2.spawn(async move { i })));
                    for h in handles.drain(..) {
                        std::hint::black_box(h.await);
                    }
                }
                start.elapsed()
            }))
        }
    }
}

/// A turn-taking baton between two tasks: each waits for its turn, passes
/// it and wakes the other. Runtime-agnostic, so only the wake path differs.
#[derive(Default)]
struct Baton {
    turn: Cell<usize>,
    wakers: [Cell<Option<Waker>>; 2],
}

struct WaitTurn<'a> {
    baton: &'a Baton,
    me: usize,
}

impl Future for WaitTurn<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.baton.turn.get() == self.me {
            Poll::Ready(())
        } else {
            self.baton.wakers[self.me].set(Some(cx.waker().clone()));
            Poll::Pending
        }
    }
}

async fn player(baton: Rc<Baton>, me: usize, rounds: usize) {
    for _ in 0..rounds {
        WaitTurn { baton: &baton, me }.await;
        baton.turn.set(1 - me);
        if let Some(w) = baton.wakers[1 - me].take() {
            w.wake();
        }
    }
}

/// Two tasks waking each other `n` times in all.
fn ping_pong(rt: Rt, n: usize) -> Duration {
    let rounds = n / 2;
    match rt {
        Rt::Plenary => a::block_on(async move {
            let baton = Rc::new(Baton::default());
            let start = Instant::now();
            let p0 = a::spawn(player(baton.clone(), 0, rounds));
            let p1 = a::spawn(player(baton, 1, rounds));
            p0.await.unwrap();
            p1.await.unwrap();
            start.elapsed()
        }),
        Rt::Tokio => {
            let runtime = tokio_runtime();
            let local = tokio::task::LocalSet::new();
            local.block_on(&runtime, async move {
                let baton = Rc::new(Baton::default());
                let start = Instant::now();
                let p0 = tokio::task::spawn_local(player(baton.clone(), 0, rounds));
                let p1 = tokio::task::spawn_local(player(baton, 1, rounds));
                p0.await.unwrap();
                p1.await.unwrap();
                start.elapsed()
            })
        }
        Rt::Smol => {
            let ex = Rc::new(async_executor::LocalExecutor::new());
            let ex2 = ex.clone();
            async_io::block_on(ex.run(async move {
                let baton = Rc::new(Baton::default());
                let start = Instant::now();
                let p0 = ex2.spawn(player(baton.clone(), 0, rounds));
                let p1 = ex2.spawn(player(baton, 1, rounds));
                p0.await;
                p1.await;
                start.elapsed()
            }))
        }
    }
}

struct TimerStats {
    total: Duration,
    mean_late: Duration,
    p99_late: Duration,
    max_late: Duration,
}

/// `n` concurrent sleeps of random length up to 100 ms; how long in all, and
/// how late each fired relative to its deadline.
fn sleeps(rt: Rt, n: usize) -> TimerStats {
    let mut rng = fastrand::Rng::with_seed(7);
    let lengths: Vec<Duration> = (0..n)
        .map(|_| Duration::from_micros(rng.u64(0..100_000)))
        .collect();
    let lateness: Rc<std::cell::RefCell<Vec<Duration>>> = Rc::default();
    let start = Instant::now();
    macro_rules! body {
        ($spawn:expr, $sleep:expr, $await_all:expr) => {{
            let handles: Vec<_> = lengths
                .iter()
                .map(|&len| {
                    let late = lateness.clone();
                    $spawn(async move {
                        let deadline = Instant::now() + len;
                        $sleep(len).await;
                        late.borrow_mut()
                            .push(Instant::now().saturating_duration_since(deadline));
                    })
                })
                .collect();
            $await_all(handles).await;
        }};
    }
    match rt {
        Rt::Plenary => a::block_on(async {
            body!(a::spawn, a::util::sleep, |h: Vec<a::Task<()>>| async move {
                for t in h {
                    t.await.unwrap();
                }
            })
        }),
        Rt::Tokio => {
            let runtime = tokio_runtime();
            let local = tokio::task::LocalSet::new();
            local.block_on(&runtime, async {
                body!(
                    tokio::task::spawn_local,
                    tokio::time::sleep,
                    |h: Vec<tokio::task::JoinHandle<()>>| async move {
                        for t in h {
                            t.await.unwrap();
                        }
                    }
                )
            })
        }
        Rt::Smol => {
            let ex = Rc::new(async_executor::LocalExecutor::new());
            let ex2 = ex.clone();
            async_io::block_on(ex.run(async {
                body!(
                    |f| ex2.spawn(f),
                    async_io::Timer::after,
                    |h: Vec<async_executor::Task<()>>| async move {
                        for t in h {
                            t.await;
                        }
                    }
                )
            }))
        }
    }
    let total = start.elapsed();
    let mut late = lateness.take();
    late.sort();
    let sum: Duration = late.iter().sum();
    TimerStats {
        total,
        mean_late: sum / late.len() as u32,
        p99_late: late[late.len() * 99 / 100],
        max_late: *late.last().unwrap(),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn best_of(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    (0..runs).map(|_| f()).min().unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let groups: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .map(|a| a.as_str())
        .collect();
    let want = |g: &str| groups.is_empty() || groups.contains(&g);
    if let Some(size) = args.iter().find_map(|a| a.strip_prefix("--profile-echo=")) {
        // Ad-hoc: one echo server (`--profile-echo=SIZE[,tokio|c]`), for
        // `perf record` or `strace -c`.
        let (size, server) = size.split_once(',').unwrap_or((size, "plenary"));
        let server = match server {
            "tokio" => uv::Server::Tokio,
            "c" => uv::Server::C,
            _ => uv::Server::Plenary,
        };
        let addr = uv::spawn_server(server);
        let size: usize = size.parse().unwrap();
        let n = uv::echo_load(addr, size, Duration::from_secs(3));
        println!("{n} round trips of {size} bytes in 3 s");
        return;
    }
    if let Some(what) = args.iter().find_map(|a| a.strip_prefix("--profile-core=")) {
        // Ad-hoc: one core workload on plenary-async alone
        // (`--profile-core=spawn|wake|sleeps|floor|semaphore`, `spawn-smol`,
        // `semaphore-smol` for the peer), for `perf record` and callgrind; `floor`
        // measures an allocation and a poll through a function pointer.
        let took = match what {
            "spawn" => spawn_await(Rt::Plenary, 10_000_000),
            "floor" => {
                // What no executor can avoid per task and per wake: one
                // allocation and free of a task-sized cell, and one poll
                // through a function pointer.
                let start = Instant::now();
                for i in 0..10_000_000u64 {
                    let cell = std::hint::black_box(Box::new([i; 16]));
                    drop(cell);
                }
                let alloc = start.elapsed();
                let poll: fn(&mut u64) -> bool = |n| {
                    *n += 1;
                    *n % 3 == 0
                };
                let poll = std::hint::black_box(poll);
                let mut n = 0u64;
                let start = Instant::now();
                for _ in 0..10_000_000 {
                    std::hint::black_box(poll(&mut n));
                }
                println!("floor: {alloc:?} for 10,000,000 allocations and frees of 128 bytes");
                start.elapsed()
            }
            "sleeps" => sleeps(Rt::Plenary, 100_000).total,
            // The semaphore workload on plenary-async and on the smol
            // crates, 1,000,000 acquire/release each: callgrind compares
            // their instructions.
            "semaphore" => control::semaphore(Rt::Plenary, 1_000_000),
            "semaphore-smol" => control::semaphore(Rt::Smol, 1_000_000),
            "spawn-smol" => spawn_await(Rt::Smol, 10_000_000),
            "sleeps-after" => {
                // As in the suite: after the other core workloads.
                spawn_await(Rt::Plenary, 1_000_000);
                ping_pong(Rt::Plenary, 1_000_000);
                sleeps(Rt::Plenary, 100_000).total
            }
            _ => ping_pong(Rt::Plenary, 10_000_000),
        };
        println!("{what}: {took:?} for 10,000,000");
        return;
    }
    let scale = if quick { 10 } else { 1 };
    let runs = if quick { 1 } else { 3 };
    println!("plenary-async benchmarks (best of {runs} runs; ratio = peer time / plenary-async time, >1 means plenary-async is faster)");
    if want("core") {
        core(scale, runs);
    }
    if want("control") {
        control(scale, runs);
    }
    if want("uv") {
        uv_group(quick, runs);
    }
}

fn uv_group(quick: bool, runs: usize) {
    let duration = Duration::from_millis(if quick { 300 } else { 2000 });
    println!(
        "\na::uv: TCP echo over loopback, 64 connections, {} ms per run (best of {runs}; round trips per second; the load comes from one tokio client for all servers)\n",
        duration.as_millis()
    );
    println!("| message | plenary-async | tokio current-thread | C on libuv | plenary / C | plenary / tokio |");
    println!("|---|---|---|---|---|---|");
    let addrs = uv::SERVERS.map(uv::spawn_server);
    for size in [64usize, 16 * 1024] {
        // Runs interleave the servers, so that drift in the machine's speed
        // affects all three alike; each keeps its best run.
        let mut rates = [0.0f64; 3];
        for _ in 0..runs {
            for (rate, addr) in rates.iter_mut().zip(addrs) {
                let r = uv::echo_load(addr, size, duration) as f64 / duration.as_secs_f64();
                *rate = rate.max(r);
            }
        }
        let label = if size < 1024 {
            format!("{size} B")
        } else {
            format!("{} KiB", size / 1024)
        };
        println!(
            "| {label} | {:.0}/s ({:.1} MiB/s) | {:.0}/s | {:.0}/s | {:.1}% | {:.2}x |",
            rates[0],
            rates[0] * size as f64 * 2.0 / (1024.0 * 1024.0),
            rates[1],
            rates[2],
            100.0 * rates[0] / rates[2],
            rates[0] / rates[1]
        );
    }
    let n = if quick { 1000 } else { 10_000 };
    let dir = uv::make_files(n);
    let ours = best_of(runs, || uv::read_files_plenary(&dir, n));
    let tokio = best_of(runs, || uv::read_files_tokio(&dir, n));
    println!("\n| files | plenary-async | tokio::fs | ratio tokio |");
    println!("|---|---|---|---|");
    println!(
        "| read {n} files of 4 KiB concurrently | {} | {} | {:.2} |",
        ms(ours),
        ms(tokio),
        tokio.as_secs_f64() / ours.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn header(title: &str, peers: [&str; 3]) {
    println!("\n{title}\n");
    println!(
        "| workload | {} | {} | {} | ratio tokio | ratio smol |",
        peers[0], peers[1], peers[2]
    );
    println!("|---|---|---|---|---|---|");
}

fn row(name: String, times: [Duration; 3]) {
    let r = |d: Duration| d.as_secs_f64() / times[0].as_secs_f64();
    println!(
        "| {name} | {} | {} | {} | {:.2} | {:.2} |",
        ms(times[0]),
        ms(times[1]),
        ms(times[2]),
        r(times[1]),
        r(times[2])
    );
}

fn control(scale: usize, runs: usize) {
    let n_oneshot = 1_000_000 / scale;
    let n_mpsc = 10_000_000 / scale;
    let n_sem = 1_000_000 / scale;
    let (waiters, rounds) = (10_000, 100 / scale);
    header(
        "a::control (peers: tokio::sync on tokio's LocalSet; async-channel, async-lock and event-listener on async-executor)",
        ["plenary-async", "tokio::sync", "smol crates"],
    );
    row(
        format!("{n_oneshot} oneshot round trips (2 channels each)"),
        ALL.map(|rt| best_of(runs, || control::oneshot_round_trips(rt, n_oneshot))),
    );
    row(
        format!("{n_mpsc} mpsc messages, 4 producers, unbounded"),
        ALL.map(|rt| best_of(runs, || control::mpsc(rt, n_mpsc, false))),
    );
    row(
        format!(
            "{n_mpsc} mpsc messages, 4 producers, bounded({})",
            control::CAPACITY
        ),
        ALL.map(|rt| best_of(runs, || control::mpsc(rt, n_mpsc, true))),
    );
    row(
        format!(
            "{n_sem} semaphore acquire/release, 100 tasks, {} permits",
            control::PERMITS
        ),
        ALL.map(|rt| best_of(runs, || control::semaphore(rt, n_sem))),
    );
    row(
        format!("notify_all to {waiters} waiters, {rounds} times"),
        ALL.map(|rt| best_of(runs, || control::notify_all(rt, waiters, rounds))),
    );
}

fn core(scale: usize, runs: usize) {
    let n_spawn = 1_000_000 / scale;
    let n_wake = 1_000_000 / scale;
    let n_sleep = 100_000 / scale;

    header(
        "Runtime core (peers: tokio's LocalSet; async-executor's LocalExecutor)",
        [ALL[0].name(), ALL[1].name(), ALL[2].name()],
    );
    row(
        format!("spawn + await {n_spawn} trivial tasks"),
        ALL.map(|rt| best_of(runs, || spawn_await(rt, n_spawn))),
    );
    row(
        format!("two tasks waking each other {n_wake} times"),
        ALL.map(|rt| best_of(runs, || ping_pong(rt, n_wake))),
    );
    // Best of `runs` by total time, as for the other rows (one run alone
    // swings with the allocator's state left by the workloads before).
    let timers = ALL.map(|rt| {
        (0..runs)
            .map(|_| sleeps(rt, n_sleep))
            .min_by_key(|t| t.total)
            .expect("at least one run")
    });
    row(
        format!("{n_sleep} concurrent sleeps, 0-100 ms (total time)"),
        [timers[0].total, timers[1].total, timers[2].total],
    );
    println!("\nLateness of those sleeps (fired minus deadline):\n");
    println!("| runtime | mean | p99 | max |");
    println!("|---|---|---|---|");
    for (rt, t) in ALL.iter().zip(&timers) {
        println!(
            "| {} | {} | {} | {} |",
            rt.name(),
            ms(t.mean_late),
            ms(t.p99_late),
            ms(t.max_late)
        );
    }
}
