//! The seed's worker pool (`examples/worker_pool.rs`): at most 3 jobs run at
//! once, 3 do run at once, and every job runs exactly once.

#[path = "../examples/worker_pool.rs"]
mod worker_pool;

use a::control::channel;
use plenary_async as a;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;
use worker_pool::{run_pool, Event, Job, MAX_WORKERS};

/// Runs the pool on `durations` (ms) and checks the bound and the counts.
async fn check_pool(durations: &[u64]) {
    let running = Rc::new(Cell::new(0usize));
    let peak = Rc::new(Cell::new(0usize));
    let events = Rc::new(RefCell::new(Vec::new()));
    let log = {
        let (running, peak, events) = (running.clone(), peak.clone(), events.clone());
        Rc::new(move |event: Event, name: &str| {
            match event {
                Event::Processing => running.set(running.get() + 1),
                Event::Done => running.set(running.get() - 1),
            }
            assert!(
                running.get() <= MAX_WORKERS,
                "more than {MAX_WORKERS} jobs at once"
            );
            peak.set(peak.get().max(running.get()));
            events.borrow_mut().push((event, name.to_owned()));
        })
    };
    let (tasks, queue) = channel::mpsc();
    let pool = a::spawn(run_pool(queue, log));
    for (i, &ms) in durations.iter().enumerate() {
        let job = Job {
            name: format!("Task {}", i + 1),
            duration: Duration::from_millis(ms),
        };
        tasks.send(job).unwrap();
        if i % 4 == 3 {
            a::util::sleep(1).await; // jobs also arrive while the pool works
        }
    }
    drop(tasks);
    pool.await.unwrap();

    assert_eq!(
        running.get(),
        0,
        "every job finished before run_pool returned"
    );
    assert_eq!(
        peak.get(),
        MAX_WORKERS.min(durations.len()),
        "the pool ran jobs side by side"
    );
    let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
    for (event, name) in events.borrow().iter() {
        let c = counts.entry(name.clone()).or_default();
        match event {
            Event::Processing => c.0 += 1,
            Event::Done => {
                assert_eq!(c.0, 1, "{name} was done before it was processed");
                c.1 += 1;
            }
        }
    }
    assert_eq!(counts.len(), durations.len());
    assert!(
        counts.values().all(|&c| c == (1, 1)),
        "each job ran exactly once: {counts:?}"
    );
}

#[a::test]
async fn the_seed_workload_runs_three_at_a_time_each_job_once() {
    check_pool(&[100; 10]).await;
}

#[a::test]
async fn uneven_jobs_keep_the_bound() {
    check_pool(&[5, 0, 30, 1, 1, 20, 0, 7, 3, 12, 0, 0, 9, 2, 25, 4]).await;
}

#[a::test]
async fn fewer_jobs_than_workers() {
    check_pool(&[3, 3]).await;
}

#[a::test]
async fn an_empty_queue_returns_at_once() {
    check_pool(&[]).await;
}
