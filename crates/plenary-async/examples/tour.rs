//! A tour of the runtime core: wrap, run, void, spawn/cancel, and util.
//! Run it with `cargo run --example tour` (the main demonstration is `worker_pool`).

use plenary_async as a;
use std::time::{Duration, Instant};

fn defer(ms: u64, done: a::Callback<()>) {
    a::spawn(async move {
        a::util::sleep(ms).await;
        done.call(());
    })
    .detach();
}

#[a::main]
async fn main() {
    // One line per panic instead of the default hook's backtrace.
    std::panic::set_hook(Box::new(|info| eprintln!("  (panic hook: {info})")));
    let start = Instant::now();
    let t = move || format!("{:>4} ms", start.elapsed().as_millis());

    // a.wrap: callback style -> awaitable
    let sleep_async = a::wrap(defer);
    sleep_async(50).await.unwrap();
    println!("[{}] wrap: a callback-style timer, awaited", t());

    // a.run: result delivered to a callback
    a::run(async { 6 * 7 }, move |r| {
        println!("[{}] run: callback got {r:?}", t())
    })
    .detach();

    // a.void: fire and forget
    let hello = a::void(move |who: &'static str| async move {
        println!("[{}] void: hello, {who}", t());
    });
    hello("plenary");
    a::util::scheduler().await;

    // util.join: concurrent sleeps take as long as the longest
    let outs = a::util::join((1..=3u64).map(|i| async move {
        a::util::sleep(30 * i).await;
        i
    }))
    .await;
    println!("[{}] join: {outs:?} (90 ms, not 180)", t());

    // util.race: the first wins, the losers are dropped (not left running)
    let fast = Box::pin(async {
        a::util::sleep(10).await;
        "fast"
    }) as std::pin::Pin<Box<dyn std::future::Future<Output = &str>>>;
    let slow = Box::pin(async {
        a::util::sleep(1000).await;
        "slow"
    });
    let winner = a::util::race(vec![fast, slow]).await;
    println!("[{}] race: {winner} won", t());

    // Task::cancel and util.timeout
    let task = a::spawn(a::util::sleep(Duration::from_secs(60)));
    task.cancel();
    println!("[{}] cancel: {:?}", t(), task.await);
    let late = a::util::timeout(20, a::util::sleep(1000)).await;
    println!("[{}] timeout: {}", t(), late.unwrap_err());

    // util.protected: a panic becomes an error value
    let caught = a::util::protected(async { panic!("caught!") }).await;
    println!("[{}] protected: {}", t(), caught.unwrap_err());
}
