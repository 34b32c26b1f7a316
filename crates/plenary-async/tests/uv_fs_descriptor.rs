//! A file's descriptor outlives the `File` while a request still uses it:
//! the kernel cannot give the number to the next `open` while the thread
//! pool still reads or writes through it (data would land in another file).
//!
//! In its own binary: it watches descriptor numbers, which tests running in
//! parallel in the same process would take. Unix: it uses a FIFO.
#![cfg(unix)]

mod common;

use a::io::AsyncReadExt;
use a::uv::fs;
use common::*;
use plenary_async as a;
use std::ffi::CString;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;

fn is_open(fd: i32) -> bool {
    // SAFETY: F_GETFD only reads the descriptor's flags.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    flags >= 0
}

/// A FIFO in a fresh directory, opened for reading and writing (opening
/// does not wait for a writer, and a read waits for data nobody sends yet).
struct Fifo {
    dir: std::path::PathBuf,
    path: std::path::PathBuf,
}

impl Fifo {
    fn open() -> (Fifo, fs::File) {
        let dir = a::block_on(fs::mkdtemp(std::env::temp_dir().join("plenary-fd-XXXXXX"))).unwrap();
        let path = dir.join("fifo");
        let c = CString::new(path.as_os_str().as_bytes()).unwrap();
        // SAFETY: a valid path string.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let file = a::block_on(fs::OpenOptions::new().read(true).write(true).open(&path)).unwrap();
        (Fifo { dir, path }, file)
    }

    /// Sends a byte, which ends a read waiting on the FIFO; the writer is
    /// returned to be kept open while its descriptor number matters.
    fn send_a_byte(&self) -> std::fs::File {
        let mut writer = std::fs::OpenOptions::new()
            .write(true)
            .open(&self.path)
            .unwrap();
        writer.write_all(b"x").unwrap();
        writer
    }
}

impl Drop for Fifo {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = std::fs::remove_dir(&self.dir);
    }
}

#[test]
fn a_dropped_file_s_descriptor_is_not_reused_while_its_read_runs() {
    on_fresh_thread(|| {
        let (fifo, mut file) = Fifo::open();
        let number = file.as_raw_fd();

        // The read is submitted to the thread pool, then its future and the
        // file are dropped; no loop turn runs in between, so the request's
        // callback (the only place that may let the descriptor go) has not
        // run yet, whether or not a pool thread is already in read(2).
        start_and_drop(AsyncReadExt::read(&mut file, &mut [0u8; 1]));
        drop(file);
        assert!(is_open(number), "the request keeps the descriptor open");
        let other = std::fs::File::open("/dev/null").unwrap();
        assert_ne!(other.as_raw_fd(), number, "the number was handed out again");

        // Let the read end and the loop deliver its callback: then the
        // descriptor is closed.
        let writer = fifo.send_a_byte();
        wait_until(|| !is_open(number));
        drop((other, writer));
    });
}

#[test]
fn close_with_a_request_in_flight_returns_and_the_request_closes_the_descriptor() {
    on_fresh_thread(|| {
        let (fifo, mut file) = Fifo::open();
        let number = file.as_raw_fd();
        start_and_drop(AsyncReadExt::read(&mut file, &mut [0u8; 1]));
        a::block_on(file.close()).unwrap();
        assert!(is_open(number), "still used by the read");
        let writer = fifo.send_a_byte();
        wait_until(|| !is_open(number));
        drop(writer);
    });
}

#[test]
fn a_dropped_sendfile_keeps_both_descriptors_until_it_ends() {
    on_fresh_thread(|| {
        let (fifo, input) = Fifo::open();
        let dir = a::block_on(fs::mkdtemp(std::env::temp_dir().join("plenary-sf-XXXXXX"))).unwrap();
        let output = a::block_on(fs::File::create(dir.join("out"))).unwrap();
        let (in_no, out_no) = (input.as_raw_fd(), output.as_raw_fd());
        // The copy waits in read(2) on the FIFO; its future and both files
        // are dropped before any loop turn could deliver its callback.
        start_and_drop(fs::sendfile(&output, &input, 0, 1));
        drop((input, output));
        assert!(
            is_open(in_no) && is_open(out_no),
            "the request keeps both open"
        );
        let writer = fifo.send_a_byte();
        wait_until(|| !is_open(in_no) && !is_open(out_no));
        drop(writer);
        let _ = std::fs::remove_dir_all(&dir);
    });
}

#[test]
fn sendfile_of_nothing_returns_at_once() {
    on_fresh_thread(|| {
        let (_fifo, input) = Fifo::open();
        // (A read of the empty FIFO would wait: a length of 0 never reads.)
        let output = a::block_on(fs::File::create("/dev/null")).unwrap();
        let limit = std::time::Duration::from_secs(30); // (only "it did not hang")
        let sent = a::util::block_on(fs::sendfile(&output, &input, 0, 0), limit);
        assert_eq!(sent, Ok(Ok(0)));
    });
}
