//! `a::uv::fs`: file operations on libuv's thread pool, their errors, and
//! their use from an attached runtime.

mod common;

use a::io::{AsyncReadExt, AsyncWriteExt};
use a::uv::fs::{self, CopyFlags, File, FileType, OpenOptions};
use common::*;
use futures_util::StreamExt;
use plenary_async as a;
use std::collections::BTreeSet;
use std::io;
use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

/// A fresh temporary directory, removed (with its files) when dropped.
struct TempDir(PathBuf);

impl TempDir {
    async fn new() -> TempDir {
        TempDir(
            fs::mkdtemp(std::env::temp_dir().join("plenary-test-XXXXXX"))
                .await
                .unwrap(),
        )
    }
    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn uv_name(err: &a::Error) -> &'static str {
    match err {
        a::Error::Uv { name, .. } => name,
        other => panic!("not a libuv error: {other:?}"),
    }
}

#[a::test]
async fn write_read_append_and_positions() {
    let dir = TempDir::new().await;
    let path = dir.join("f");
    fs::write(&path, "hello").await.unwrap();
    assert_eq!(fs::read_to_string(&path).await.unwrap(), "hello");

    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .await
        .unwrap();
    let mut buf = [0u8; 10];
    assert_eq!(f.read(&mut buf[..2]).await.unwrap(), 2);
    assert_eq!(&buf[..2], b"he");
    let n = f.read(&mut buf).await.unwrap();
    assert_eq!(&buf[..n], b"llo", "continues from the position");
    assert_eq!(f.read(&mut buf).await.unwrap(), 0, "end of file");
    assert_eq!(f.read_at(3, 1).await.unwrap(), b"ell");
    assert_eq!(f.write_at("J", 0).await.unwrap(), 1);
    f.set_len(4).await.unwrap();
    f.close().await.unwrap();
    assert_eq!(fs::read(&path).await.unwrap(), b"Jell");

    let mut log = OpenOptions::new().append(true).open(&path).await.unwrap();
    log.write_all(b"y!").await.unwrap();
    drop(log); // closes
    assert_eq!(fs::read(&path).await.unwrap(), b"Jelly!");
}

#[a::test]
async fn large_files_round_trip_byte_for_byte() {
    let dir = TempDir::new().await;
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    fs::write(dir.join("big"), data.clone()).await.unwrap();
    assert_eq!(
        fs::stat(dir.join("big")).await.unwrap().len(),
        data.len() as u64
    );
    assert!(fs::read(dir.join("big")).await.unwrap() == data);
}

/// A read far larger than its file (above the 16 MiB under which a read's
/// length is not looked at) gives the whole file, with a buffer of the
/// file's size, not of the length asked for.
#[a::test]
async fn a_read_far_larger_than_its_file_gives_the_whole_file() {
    let dir = TempDir::new().await;
    let data: Vec<u8> = (0..17 * 1024 * 1024 + 3)
        .map(|i: u32| (i % 253) as u8)
        .collect();
    fs::write(dir.join("big"), data.clone()).await.unwrap();
    let file = File::open(dir.join("big")).await.unwrap();
    let all = file.read_at(1 << 40, 0).await.unwrap();
    assert!(all == data, "{} bytes", all.len());
    assert!(
        all.capacity() < 32 * 1024 * 1024,
        "a buffer of {} bytes",
        all.capacity()
    );
    let tail = file.read_at(1 << 40, data.len() as u64 - 2).await.unwrap();
    assert_eq!(tail, &data[data.len() - 2..]);
}

#[a::test]
async fn many_operations_run_concurrently() {
    let dir = TempDir::new().await;
    let writes = (0..100).map(|i| fs::write(dir.join(&format!("f{i}")), format!("content {i}")));
    for r in a::util::join(writes).await {
        r.unwrap();
    }
    let reads = (0..100).map(|i| fs::read_to_string(dir.join(&format!("f{i}"))));
    let contents = a::util::join(reads).await;
    for (i, c) in contents.into_iter().enumerate() {
        assert_eq!(c.unwrap(), format!("content {i}"));
    }
}

#[a::test]
async fn directories_list_the_same_through_scandir_opendir_and_read_dir() {
    let dir = TempDir::new().await;
    let mut expected = BTreeSet::new();
    for i in 0..150 {
        let name = format!("file-{i:03}");
        fs::write(dir.join(&name), "").await.unwrap();
        expected.insert(name);
    }
    fs::mkdir(dir.join("sub"), 0o755).await.unwrap();
    expected.insert("sub".to_owned());

    let names = |entries: Vec<fs::DirEntry>| -> Vec<String> {
        entries
            .into_iter()
            .map(|e| e.name.into_string().unwrap())
            .collect()
    };
    let scanned = fs::scandir(&dir.0).await.unwrap();
    let sub = scanned.iter().find(|e| e.name == "sub").unwrap();
    assert_eq!(sub.file_type, FileType::Dir);
    let scanned: Vec<String> = names(scanned);
    assert_eq!(scanned.iter().cloned().collect::<BTreeSet<_>>(), expected);
    assert_eq!(scanned.len(), expected.len(), "no duplicates");

    let d = fs::opendir(&dir.0).await.unwrap();
    let mut batched = Vec::new();
    loop {
        let batch = d.read().await.unwrap();
        if batch.is_empty() {
            break;
        }
        assert!(batch.len() <= 64);
        batched.extend(names(batch));
    }
    d.close();
    assert_eq!(batched.len(), expected.len());
    assert_eq!(batched.into_iter().collect::<BTreeSet<_>>(), expected);

    let streamed: Vec<String> = fs::read_dir(&dir.0)
        .await
        .unwrap()
        .map(|e| e.unwrap().name.into_string().unwrap())
        .collect()
        .await;
    assert_eq!(streamed.len(), expected.len());
    assert_eq!(streamed.into_iter().collect::<BTreeSet<_>>(), expected);
}

#[a::test]
async fn links_renames_copies_and_metadata() {
    let dir = TempDir::new().await;
    fs::write(dir.join("a"), "data").await.unwrap();
    fs::link(dir.join("a"), dir.join("hard")).await.unwrap();
    assert_eq!(fs::stat(dir.join("a")).await.unwrap().nlink(), 2);
    // (Symbolic links need a privilege on Windows, and wine's are not
    // Windows': Unix only.)
    #[cfg(unix)]
    {
        fs::symlink("a", dir.join("soft")).await.unwrap();
        assert!(fs::lstat(dir.join("soft")).await.unwrap().is_symlink());
        assert!(fs::stat(dir.join("soft")).await.unwrap().is_file());
        assert_eq!(
            fs::readlink(dir.join("soft")).await.unwrap(),
            std::path::Path::new("a")
        );
        let real = fs::realpath(dir.join("soft")).await.unwrap();
        assert_eq!(real, fs::realpath(dir.join("a")).await.unwrap());
    }

    fs::rename(dir.join("hard"), dir.join("moved"))
        .await
        .unwrap();
    assert!(fs::access(dir.join("hard"), fs::F_OK).await.is_err());
    fs::copyfile(dir.join("a"), dir.join("copy"), CopyFlags::NONE)
        .await
        .unwrap();
    assert_eq!(fs::read(dir.join("copy")).await.unwrap(), b"data");
    let exists = fs::copyfile(dir.join("a"), dir.join("copy"), CopyFlags::EXCL).await;
    assert_eq!(uv_name(&exists.unwrap_err()), "EEXIST");

    fs::chmod(dir.join("a"), 0o640).await.unwrap();
    // (Windows keeps a read-only flag only: 0o640 is "writable", 0o666.)
    let mode = if cfg!(windows) { 0o666 } else { 0o640 };
    assert_eq!(fs::stat(dir.join("a")).await.unwrap().mode() & 0o777, mode);
    let t = UNIX_EPOCH + Duration::from_secs(1_234_567_890);
    fs::utime(dir.join("a"), t, t).await.unwrap();
    let m = fs::stat(dir.join("a")).await.unwrap();
    assert_eq!(m.modified(), t);
    // (wine does not keep the access time set.)
    if cfg!(unix) {
        assert_eq!(m.accessed(), t);
    }

    let f = File::open(dir.join("a")).await.unwrap();
    assert_eq!(f.stat().await.unwrap().ino(), m.ino());
    let (tmp, tmp_path) = fs::mkstemp(dir.join("tmp-XXXXXX")).await.unwrap();
    assert_eq!(fs::sendfile(&tmp, &f, 1, 100).await.unwrap(), 3);
    tmp.sync_all().await.unwrap();
    assert_eq!(fs::read(&tmp_path).await.unwrap(), b"ata");
    assert!(fs::statfs(&dir.0).await.unwrap().block_size > 0);
}

#[a::test]
async fn errors_name_the_operation_the_libuv_error_and_the_path() {
    let dir = TempDir::new().await;
    let missing = dir.join("missing");
    let err = fs::stat(&missing).await.unwrap_err();
    match &err {
        a::Error::Uv { op, name, path, .. } => {
            assert_eq!((*op, *name), ("fs_stat", "ENOENT"));
            assert_eq!(path.as_deref(), Some(missing.to_str().unwrap()));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("no such file or directory"));
    assert_eq!(io::Error::from(err).kind(), io::ErrorKind::NotFound);

    // A directory read as a file.
    let mut as_file = File::open(&dir.0).await.unwrap();
    // (On Windows libuv may report the system's "access denied" there.)
    let is_dir: &[&str] = if cfg!(windows) {
        &["EISDIR", "EPERM"]
    } else {
        &["EISDIR"]
    };
    let err = a::Error::from(as_file.read(&mut [0u8; 10]).await.unwrap_err());
    assert!(is_dir.contains(&uv_name(&err)));
    assert!(is_dir.contains(&uv_name(&fs::read(&dir.0).await.unwrap_err())));
    // Creating what exists, removing a non-empty directory.
    fs::write(dir.join("f"), "").await.unwrap();
    let new = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dir.join("f"))
        .await;
    assert_eq!(uv_name(&new.unwrap_err()), "EEXIST");
    assert_eq!(uv_name(&fs::rmdir(&dir.0).await.unwrap_err()), "ENOTEMPTY");
    // Writing to a file opened read-only.
    let mut ro = File::open(dir.join("f")).await.unwrap();
    let err = a::Error::from(ro.write(b"x").await.unwrap_err());
    assert_eq!(uv_name(&err), "EBADF");
    // Not UTF-8.
    fs::write(dir.join("bin"), vec![0xff, 0xfe]).await.unwrap();
    assert_eq!(
        uv_name(&fs::read_to_string(dir.join("bin")).await.unwrap_err()),
        "EILSEQ"
    );
}

#[a::test]
async fn a_path_with_a_nul_byte_is_refused_before_anything_starts() {
    let err = fs::stat("bad\0path").await.unwrap_err();
    assert_eq!(uv_name(&err), "EINVAL");
    assert!(
        err.to_string().starts_with("fs_stat failed: EINVAL"),
        "{err}"
    );
    assert!(File::open("a\0b").await.is_err());
    assert!(fs::rename("ok", "not\0ok").await.is_err());
    assert!(fs::mkdtemp("x\0XXXXXX").await.is_err());
}

#[test]
fn file_operations_work_on_an_attached_runtime() {
    on_fresh_thread(|| {
        let host = HostLoop::new();
        // SAFETY: the host loop is live, run on this thread, and outlives the
        // runtime (detached before the loop is closed).
        let rt = unsafe { a::Runtime::attach(host.ptr.cast()) };
        let task = a::spawn(async {
            let dir = TempDir::new().await;
            fs::write(dir.join("f"), "on the host's loop")
                .await
                .unwrap();
            fs::read_to_string(dir.join("f")).await.unwrap()
        });
        host.run(); // returns once the requests are done and nothing is left
        rt.uninstall();
        let got = a::util::block_on(task, Duration::from_secs(30));
        assert_eq!(got.unwrap().unwrap(), "on the host's loop");
    });
}

#[test]
fn a_runtime_dropped_with_requests_in_flight_frees_them() {
    on_fresh_thread(|| {
        let dir = a::block_on(fs::mkdtemp(
            std::env::temp_dir().join("plenary-cancel-XXXXXX"),
        ))
        .unwrap();
        let d = dir.clone();
        for i in 0..50 {
            let d = d.clone();
            a::spawn(async move {
                fs::write(d.join(format!("f{i}")), vec![0u8; 8192])
                    .await
                    .unwrap();
                fs::read(d.join(format!("f{i}"))).await.unwrap();
            })
            .detach();
        }
        // Start them, then let the thread (and its runtime) end.
        a::block_on(a::util::scheduler());
        let _ = std::fs::remove_dir_all(&dir);
    });
}

/// A length beyond memory (from a script, say) is not allocated as asked:
/// the buffer is at most one read(2)'s worth, reserved fallibly, so the
/// read returns the file or ENOMEM, and never aborts the process.
#[a::test]
async fn read_with_an_impossible_length_does_not_abort() {
    let dir = TempDir::new().await;
    let path = dir.join("f");
    fs::write(&path, "hello").await.unwrap();
    let f = File::open(&path).await.unwrap();
    for len in [usize::MAX, 1 << 40] {
        match f.read_at(len, 0).await {
            Ok(bytes) => assert_eq!(bytes, b"hello"),
            Err(e) => assert_eq!(uv_name(&e), "ENOMEM", "{e}"),
        }
    }
}
