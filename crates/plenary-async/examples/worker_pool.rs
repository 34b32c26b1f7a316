//! The seed's complete example: a worker pool.
//!
//! A semaphore of 3 permits bounds how many jobs run at once; an mpsc
//! channel is the job queue; a consumer pulls each job, takes a permit and
//! starts a worker task that holds the permit while it works. The seed's
//! version awaited each job inline, so its 3 permits never overlapped; here
//! the workers run side by side, and the 10 jobs of 100 ms take about 400 ms
//! (four rounds of at most three), not a second.
//!
//! The README's main demonstration: `cargo run --example worker_pool`.
//! `tests/worker_pool.rs` runs [`run_pool`] itself and checks the bound.

use plenary_async as a;

use a::control::{channel, Semaphore};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How many jobs may run at once.
pub const MAX_WORKERS: usize = 3;

/// A unit of work: the seed's `{ name = "Task " .. i, duration = 100 }`.
pub struct Job {
    pub name: String,
    pub duration: Duration,
}

/// What the pool reports, as the seed prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Processing,
    Done,
}

/// Where the pool reports each event, with the job's name.
pub type Log = Rc<dyn Fn(Event, &str)>;

/// Runs every job from `queue`, at most [`MAX_WORKERS`] at once, calling
/// `log` when each starts and ends. Returns once the queue is closed (every
/// sender dropped) and drained, and every worker has finished.
pub async fn run_pool(mut queue: channel::mpsc::Receiver<Job>, log: Log) {
    let workers = Semaphore::new(MAX_WORKERS);
    while let Some(job) = queue.recv().await {
        // Wait for a free worker slot; the job queue waits meanwhile.
        let permit = workers.acquire().await;
        let log = log.clone();
        a::spawn(async move {
            log(Event::Processing, &job.name);
            a::util::sleep(job.duration).await;
            log(Event::Done, &job.name);
            permit.release(); // the seed's `permit:forget()`; dropping it also releases
        })
        .detach();
    }
    // The queue is drained. Once every permit is back, every worker is done.
    let mut all = Vec::with_capacity(MAX_WORKERS);
    for _ in 0..MAX_WORKERS {
        all.push(workers.acquire().await);
    }
}

#[allow(dead_code)] // the test includes this file and uses `run_pool` only
#[a::main]
async fn main() {
    let (tasks, queue) = channel::mpsc();
    for i in 1..=10 {
        let job = Job {
            name: format!("Task {i}"),
            duration: Duration::from_millis(100),
        };
        tasks.send(job).expect("the pool is listening");
    }
    // No more work: the consumer ends when the queue is drained.
    drop(tasks);

    let start = Instant::now();
    let log = move |event: Event, name: &str| {
        let ms = start.elapsed().as_millis();
        match event {
            Event::Processing => println!("[{ms:>4} ms] Processing: {name}"),
            Event::Done => println!("[{ms:>4} ms] Done: {name}"),
        }
    };
    run_pool(queue, Rc::new(log)).await;
    println!(
        "All 10 tasks done in {} ms with at most {MAX_WORKERS} at once.",
        start.elapsed().as_millis()
    );
}
