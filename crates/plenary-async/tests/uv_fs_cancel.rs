//! Dropping file-system futures mid-flight, many times: nothing leaks (the
//! process's open descriptors come back to where they were; valgrind sees
//! no lost memory in `scripts/valgrind.sh`), nothing is used after free.
//!
//! One test in its own binary: it counts the process's open descriptors,
//! which other tests running in parallel would disturb.

mod common;

use a::uv::fs;
use common::*;
use plenary_async as a;
use std::future::Future;
use std::task::{Context, Waker};

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
fn dropping_requests_mid_flight_leaks_no_descriptor_or_memory() {
    on_fresh_thread(|| {
        let dir = a::block_on(fs::mkdtemp(
            std::env::temp_dir().join("plenary-cancel-XXXXXX"),
        ))
        .unwrap();
        let file = dir.join("f");
        a::block_on(fs::write(&file, vec![1u8; 256 * 1024])).unwrap();
        for i in 0..20 {
            a::block_on(fs::write(dir.join(format!("e{i}")), "")).unwrap();
        }
        let baseline = open_fds();

        for round in 0..200 {
            start_and_drop(fs::File::open(&file));
            start_and_drop(fs::stat(&file));
            start_and_drop(fs::scandir(&dir));
            start_and_drop(fs::opendir(&dir));
            start_and_drop(fs::read(&file));
            start_and_drop(fs::write(
                dir.join(format!("w{}", round % 5)),
                vec![2u8; 4096],
            ));
            start_and_drop(async {
                let f = fs::File::open(&file).await.unwrap();
                // Dropped while this read (into a 64 KiB buffer) may run.
                f.read_at(64 * 1024, 0).await
            });
            start_and_drop(async {
                let mut entries = fs::read_dir(&dir).await.unwrap();
                entries.next().await
            });
            // Some rounds also let part of the work finish before dropping.
            if round % 10 == 0 {
                a::block_on(a::util::scheduler());
            }
        }
        // Let every abandoned request come back, then compare.
        wait_until(|| open_fds() <= baseline);
        assert_eq!(open_fds(), baseline, "a descriptor was leaked");

        // The same with futures that finish but are never awaited again:
        // an opened file that nobody receives is closed.
        for _ in 0..50 {
            let mut open = Box::pin(fs::File::open(&file));
            let mut cx = Context::from_waker(Waker::noop());
            assert!(open.as_mut().poll(&mut cx).is_pending());
            a::block_on(a::util::sleep(1));
            drop(open);
        }
        wait_until(|| open_fds() <= baseline);
        assert_eq!(open_fds(), baseline);
        let _ = std::fs::remove_dir_all(&dir);
    });
}
