//! `a::spawn_blocking`: results, panics, the loop running meanwhile, and
//! cancellation of a job still queued in libuv's pool.

use plenary_async as a;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};

/// libuv's pool size, as libuv reads it.
fn pool_size() -> usize {
    std::env::var("UV_THREADPOOL_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4)
}

#[test]
fn a_job_runs_while_the_loop_goes_on_and_its_result_comes_back() {
    a::block_on(async {
        let (release, wait) = mpsc::channel::<()>();
        let job = a::spawn_blocking(move || {
            wait.recv().unwrap(); // blocks its pool thread, not the loop
            "done"
        });
        // The loop runs tasks and timers while the job blocks.
        a::util::sleep(5).await;
        assert!(!job.is_finished());
        release.send(()).unwrap();
        assert_eq!(job.await, Ok("done"));
    });
}

#[test]
fn a_job_that_panics_fails_its_task_with_the_message() {
    let got = a::block_on(a::spawn_blocking(|| -> u8 {
        panic!("blocking boom {}", 7)
    }));
    match got {
        Err(a::JoinError::Panicked { message, .. }) => assert_eq!(message, "blocking boom 7"),
        other => panic!("expected a panic, got {other:?}"),
    }
}

#[test]
fn canceling_a_job_still_queued_skips_it() {
    a::block_on(async {
        // Fill the pool with jobs that wait to be released.
        let n = pool_size();
        let (started_tx, started) = mpsc::channel::<()>();
        let mut releases = Vec::new();
        let mut busy = Vec::new();
        for _ in 0..n {
            let (release, wait) = mpsc::channel::<()>();
            let started_tx = started_tx.clone();
            releases.push(release);
            busy.push(a::spawn_blocking(move || {
                started_tx.send(()).unwrap();
                wait.recv().unwrap();
            }));
        }
        // Their tasks queue the jobs; then every pool thread takes one.
        a::util::scheduler().await;
        for _ in 0..n {
            started
                .recv_timeout(std::time::Duration::from_secs(10))
                .expect("a pool thread took no job");
        }
        let ran = Arc::new(AtomicBool::new(false));
        let queued = a::spawn_blocking({
            let ran = ran.clone();
            move || ran.store(true, Ordering::SeqCst)
        });
        a::util::scheduler().await; // (its task has queued the job)
        queued.cancel();
        for release in releases {
            release.send(()).unwrap();
        }
        for task in busy {
            task.await.unwrap();
        }
        // A job queued after it has run: the canceled one, ahead of it in
        // the pool's queue, would have run first.
        a::spawn_blocking(|| ()).await.unwrap();
        assert!(!ran.load(Ordering::SeqCst), "the canceled job ran");
        assert!(queued.await.unwrap_err().is_canceled());
    });
}
