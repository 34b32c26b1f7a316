//! `a::uv`: pipes, UDP, DNS, processes, signals, file watching and
//! intervals. Loopback and temporary directories only.

mod common;

use a::io::{AsyncReadExt, AsyncWriteExt};
use a::uv::pipe::{Pipe, PipeListener};
use a::uv::process::{Command, Stdio};
use a::uv::udp::UdpSocket;
use common::*;
use futures_util::StreamExt;
use plenary_async as a;
use std::path::PathBuf;
use std::time::{Duration, Instant};

async fn temp_dir() -> PathBuf {
    a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-io-XXXXXX"))
        .await
        .unwrap()
}

/// Where a pipe server listens: a socket file in `dir` on Unix; on
/// Windows a named pipe (`\\.\pipe\...`), named after `dir` so that it is
/// unique too.
fn pipe_path(dir: &std::path::Path, name: &str) -> PathBuf {
    if cfg!(windows) {
        let unique = dir.file_name().unwrap().to_string_lossy();
        PathBuf::from(format!(r"\\.\pipe\{unique}-{name}"))
    } else {
        dir.join(name)
    }
}

/// Reads one line (without the newline); `None` at the end of the stream.
#[cfg(unix)]
async fn read_line(pipe: &mut Pipe, pending: &mut Vec<u8>) -> Option<String> {
    loop {
        if let Some(i) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=i).collect();
            return Some(String::from_utf8_lossy(&line[..i]).into_owned());
        }
        let mut buf = [0u8; 256];
        let n = pipe.read(&mut buf).await.unwrap();
        if n == 0 {
            return None;
        }
        pending.extend_from_slice(&buf[..n]);
    }
}

// ---- pipes --------------------------------------------------------------------

#[a::test]
async fn unix_socket_echo_with_many_clients() {
    let dir = temp_dir().await;
    let path = pipe_path(&dir, "echo.sock");
    let listener = PipeListener::bind(&path).unwrap();
    let server = a::spawn(async move {
        for _ in 0..20 {
            let mut conn = listener.accept().await.unwrap();
            a::spawn(async move {
                let mut buf = [0u8; 1024];
                loop {
                    let n = conn.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    conn.write_all(&buf[..n]).await.unwrap();
                }
                conn.close().await.unwrap();
            })
            .detach();
        }
    });
    let clients = (0..20).map(|i| {
        let path = path.clone();
        async move {
            let mut c = Pipe::connect(&path).await.unwrap();
            let msg = format!("message {i}").repeat(100);
            c.write_all(msg.as_bytes()).await.unwrap();
            c.close().await.unwrap();
            assert_eq!(c.read_all().await.unwrap(), msg.as_bytes());
        }
    });
    a::util::join(clients).await;
    server.await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[a::test]
async fn pipe_errors_are_clear() {
    let dir = temp_dir().await;
    let missing = pipe_path(&dir, "nobody-listens");
    let err = Pipe::connect(&missing).await.unwrap_err();
    assert!(
        matches!(
            err,
            a::Error::Uv {
                op: "pipe_connect",
                name: "ENOENT",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("nobody-listens"));
    let _first = PipeListener::bind(pipe_path(&dir, "s")).unwrap();
    // (wine makes a second instance of a named pipe where Windows refuses.)
    if cfg!(unix) {
        let err = PipeListener::bind(pipe_path(&dir, "s")).unwrap_err();
        assert_uv_error(&err, "EADDRINUSE");
    }
    assert!(Pipe::connect("bad\0path").await.is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dropping_pipe_operations_mid_flight_is_safe() {
    on_fresh_thread(|| {
        let dir = a::block_on(temp_dir());
        let path = pipe_path(&dir, "s");
        let listener = PipeListener::bind(&path).unwrap();
        for _ in 0..50 {
            start_and_drop(Pipe::connect(&path));
            start_and_drop(listener.accept());
            let (mut c, mut s) = a::block_on(async {
                let c = Pipe::connect(&path).await.unwrap();
                (c, listener.accept().await.unwrap())
            });
            start_and_drop(c.write_all(&[1u8; 500_000]));
            start_and_drop(async {
                let mut b = [0u8; 4];
                s.read(&mut b).await
            });
        }
        a::block_on(a::util::sleep(5));
        drop(listener);
        let _ = std::fs::remove_dir_all(&dir);
    });
}

// ---- UDP -----------------------------------------------------------------------

#[a::test]
async fn udp_datagrams_arrive_whole_with_their_sender() {
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = server.local_addr().unwrap();
    for i in 0..100u32 {
        let data = i.to_be_bytes().repeat(i as usize % 50 + 1);
        assert_eq!(client.send_to(&data, to).await.unwrap(), data.len());
    }
    client.send_to(&[], to).await.unwrap(); // an empty datagram is a datagram
    let mut buf = vec![0u8; 1024];
    for i in 0..100u32 {
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(from, client.local_addr().unwrap());
        assert_eq!(
            &buf[..n],
            i.to_be_bytes().repeat(i as usize % 50 + 1).as_slice()
        );
    }
    assert_eq!(server.recv_from(&mut buf).await.unwrap().0, 0);
    // A datagram longer than the buffer is truncated, not split.
    client.send_to(&[9u8; 100], to).await.unwrap();
    let mut small = [0u8; 10];
    assert_eq!(server.recv_from(&mut small).await.unwrap().0, 10);
}

#[a::test]
async fn udp_options_and_errors() {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    let err = UdpSocket::bind(s.local_addr().unwrap()).err().unwrap();
    assert_uv_error(&err, "EADDRINUSE");
    s.set_ttl(32).unwrap();
    assert!(s.set_ttl(0).is_err());
    let any = UdpSocket::bind("0.0.0.0:0").unwrap();
    any.set_broadcast(true).unwrap();
    any.set_multicast_loop(true).unwrap();
    any.set_multicast_ttl(1).unwrap();
    assert!(any
        .set_membership("10.0.0.1".parse().unwrap(), None, true)
        .is_err());
}

#[test]
fn dropping_udp_operations_mid_flight_is_safe() {
    on_fresh_thread(|| {
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        let to = s.local_addr().unwrap();
        for _ in 0..200 {
            start_and_drop(s.send_to(&[7u8; 1000], to));
            start_and_drop(async {
                let mut b = [0u8; 8];
                s.recv_from(&mut b).await
            });
        }
        a::block_on(a::util::sleep(5));
        drop(s); // with queued datagrams and sends in flight
        a::block_on(a::util::sleep(1));
    });
}

// ---- DNS -----------------------------------------------------------------------

#[a::test]
async fn dns_resolves_numeric_and_local_names_and_reports_failures() {
    let found = a::uv::dns::getaddrinfo("127.0.0.1", Some("8080"))
        .await
        .unwrap();
    assert!(found
        .iter()
        .all(|ai| ai.addr == "127.0.0.1:8080".parse().unwrap()));
    let local = a::uv::dns::getaddrinfo("localhost", None).await.unwrap();
    assert!(local.iter().any(|ai| ai.addr.ip().is_loopback()));
    let err = a::uv::dns::getaddrinfo("nothing.invalid", None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            a::Error::Uv {
                op: "getaddrinfo",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("nothing.invalid"));
    assert!(a::uv::dns::getaddrinfo("bad\0name", None).await.is_err());
    let (host, _) = a::uv::dns::getnameinfo("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    assert!(!host.is_empty());
}

#[test]
fn dropping_dns_lookups_mid_flight_is_safe() {
    on_fresh_thread(|| {
        for _ in 0..100 {
            start_and_drop(a::uv::dns::getaddrinfo("localhost", Some("80")));
            start_and_drop(a::uv::dns::getnameinfo("127.0.0.1:80".parse().unwrap()));
        }
        a::block_on(a::util::sleep(5));
    });
}

// ---- processes -----------------------------------------------------------------

#[a::test]
#[cfg(unix)] // sh and cat
async fn output_is_read_line_by_line_while_the_process_runs() {
    // The child prints a line, then waits for input before the next one:
    // the test can only go on if it reads the first line while the child
    // is still running.
    let mut child = Command::new("sh")
        .args([
            "-c",
            "echo first; read reply; echo \"second $reply\"; echo third",
        ])
        .stdin(Stdio::Piped)
        .stdout(Stdio::Piped)
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut input = child.stdin.take().unwrap();
    let mut pending = Vec::new();
    assert_eq!(
        read_line(&mut out, &mut pending).await.as_deref(),
        Some("first")
    );
    assert!(
        child.try_wait().is_none(),
        "still running, waiting for its input"
    );
    input.write_all(b"hello\n").await.unwrap();
    assert_eq!(
        read_line(&mut out, &mut pending).await.as_deref(),
        Some("second hello")
    );
    assert_eq!(
        read_line(&mut out, &mut pending).await.as_deref(),
        Some("third")
    );
    assert_eq!(read_line(&mut out, &mut pending).await, None);
    let status = child.wait().await.unwrap();
    assert!(status.success());
    assert_eq!(
        child.wait().await.unwrap(),
        status,
        "waiting again gives the same"
    );
}

#[a::test]
#[cfg(unix)] // sh and cat
async fn arguments_environment_and_directory_reach_the_child() {
    let dir = temp_dir().await;
    let mut child = Command::new("sh")
        .args([
            "-c",
            "printf '%s|%s|%s|%s' \"$1\" \"$GREETING\" \"$(pwd)\" \"${HOME-unset}\"",
            "sh",
            "arg with spaces",
        ])
        .env("GREETING", "hi there")
        .env_remove("HOME")
        .current_dir(&dir)
        .stdout(Stdio::Piped)
        .stderr(Stdio::Null)
        .spawn()
        .unwrap();
    let out = String::from_utf8(child.stdout.take().unwrap().read_all().await.unwrap()).unwrap();
    let real = a::uv::fs::realpath(&dir).await.unwrap();
    assert_eq!(
        out,
        format!("arg with spaces|hi there|{}|unset", real.display())
    );
    assert!(child.wait().await.unwrap().success());
    let mut bare = Command::new("/usr/bin/env")
        .env_clear()
        .env("ONLY", "1")
        .stdout(Stdio::Piped)
        .spawn()
        .unwrap();
    assert_eq!(
        bare.stdout.take().unwrap().read_all().await.unwrap(),
        b"ONLY=1\n"
    );
    bare.wait().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[a::test]
#[cfg(unix)] // POSIX signals
async fn process_faults_are_errors() {
    let err = Command::new("/no/such/program").spawn().unwrap_err();
    assert!(
        matches!(
            err,
            a::Error::Uv {
                op: "spawn",
                name: "ENOENT",
                ..
            }
        ),
        "{err}"
    );
    assert!(Command::new("nul\0byte").spawn().is_err());
    assert!(Command::new("true")
        .current_dir("/no/such/dir")
        .spawn()
        .is_err());

    // Writing to a process that has exited.
    let mut child = Command::new("true").stdin(Stdio::Piped).spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    child.wait().await.unwrap();
    let err = write_until_failure(&mut input, 100).await;
    assert_uv_error(&err, "EPIPE");
    assert!(child.send_signal(libc::SIGTERM).is_err(), "it has exited");

    let mut sleeper = Command::new("sleep").arg("30").spawn().unwrap();
    assert!(matches!(
        sleeper.send_signal(9999),
        Err(a::Error::Uv { name: "EINVAL", .. })
    ));
    sleeper.kill().unwrap();
    assert_eq!(sleeper.wait().await.unwrap().signal(), Some(libc::SIGKILL));
}

/// Windows: a child's output and exit status through pipes (`cmd.exe`, which
/// every Windows has, and wine too).
#[a::test]
#[cfg(windows)]
async fn a_child_s_output_is_read_through_a_pipe_on_windows() {
    let mut child = Command::new("cmd")
        .args(["/c", "echo first&& echo second"])
        .stdout(Stdio::Piped)
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let all = String::from_utf8(out.read_all().await.unwrap()).unwrap();
    assert_eq!(all.replace("\r\n", "\n"), "first\nsecond\n");
    assert!(child.wait().await.unwrap().success());
    let mut failed = Command::new("cmd").args(["/c", "exit 3"]).spawn().unwrap();
    assert_eq!(failed.wait().await.unwrap().code(), Some(3));
}

// ---- signals -------------------------------------------------------------------

#[a::test]
#[cfg(unix)] // POSIX signals
async fn a_signal_sent_to_the_test_process_is_delivered() {
    let mut usr1 = a::uv::signal::signal(libc::SIGUSR1).unwrap();
    for _ in 0..3 {
        // SAFETY: kill(2) to our own process, whose SIGUSR1 libuv now handles.
        unsafe { libc::kill(libc::getpid(), libc::SIGUSR1) };
        let got = a::util::timeout(Duration::from_secs(30), usr1.recv()).await;
        assert_eq!(got.unwrap(), libc::SIGUSR1);
    }
    assert!(a::uv::signal::signal(0).is_err());
    assert!(a::uv::signal::signal(-3).is_err());
}

// ---- watching ------------------------------------------------------------------

#[a::test]
async fn fs_events_report_files_created_in_a_directory() {
    let dir = temp_dir().await;
    let mut events = a::uv::watch::fs_event(&dir).unwrap();
    a::uv::fs::write(dir.join("created.txt"), "x")
        .await
        .unwrap();
    let mut seen = Vec::new();
    while !seen
        .iter()
        .any(|f: &PathBuf| f.as_os_str() == "created.txt")
    {
        let event = a::util::timeout(Duration::from_secs(30), events.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        seen.extend(event.file);
    }
    assert!(a::uv::watch::fs_event(dir.join("missing")).is_err());
    drop(events);
    let _ = std::fs::remove_dir_all(&dir);
}

#[a::test]
async fn fs_poll_reports_changes_and_disappearance() {
    let dir = temp_dir().await;
    let path = dir.join("polled");
    a::uv::fs::write(&path, "").await.unwrap();
    let mut changes = a::uv::watch::fs_poll(&path, Duration::from_millis(5)).unwrap();
    // Rewrite until a poll sees the new content (a poll may also see the
    // moment `write` has truncated the file and not yet written).
    loop {
        a::uv::fs::write(&path, "grown").await.unwrap();
        if let Ok(c) = a::util::timeout(Duration::from_millis(100), changes.next()).await {
            if c.unwrap().unwrap().current.len() == 5 {
                break;
            }
        }
    }
    a::uv::fs::unlink(&path).await.unwrap();
    let gone = loop {
        match a::util::timeout(Duration::from_secs(30), changes.next())
            .await
            .unwrap()
            .unwrap()
        {
            Err(e) => break e,
            Ok(_) => continue,
        }
    };
    assert!(
        matches!(gone, a::Error::Uv { name: "ENOENT", .. }),
        "{gone}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- interval ------------------------------------------------------------------

#[a::test]
async fn interval_ticks_on_a_fixed_schedule() {
    let start = Instant::now();
    let mut ticks = a::util::interval(Duration::from_millis(10));
    let first = ticks.tick().await;
    let times: Vec<Instant> = (&mut ticks).take(3).collect().await;
    for (k, t) in times.iter().enumerate() {
        let since = *t - first;
        assert!(
            since >= Duration::from_millis(10 * (k as u64 + 1)),
            "tick {k} early"
        );
        assert_eq!(
            since.as_nanos() % 10_000_000,
            0,
            "ticks stay on the 10 ms grid"
        );
    }
    assert!(start.elapsed() >= Duration::from_millis(30));
}

#[test]
fn interval_with_a_zero_period_is_refused() {
    let err = std::panic::catch_unwind(|| a::util::interval(0u64)).unwrap_err();
    assert!(panic_message(err).contains("period must be longer than zero"));
}

/// Bytes written and then dropped with the stream still arrive: a dropped
/// stream finishes its queued writes before it closes. (The child's stdin
/// used to be closed at once, which canceled the queued writes silently:
/// about half of a megabyte reached `cat`.)
#[a::test]
#[cfg(unix)] // sh and cat
async fn a_dropped_stream_finishes_its_queued_writes() {
    use a::uv::process::{Command, Stdio};
    let data: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
    let mut child = Command::new("cat")
        .stdin(Stdio::Piped)
        .stdout(Stdio::Piped)
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let mut output = child.stdout.take().unwrap();
    let reader = a::spawn(async move { output.read_all().await });
    input.write_all(&data).await.unwrap();
    drop(input); // no flush, no shutdown
    let got = reader.await.unwrap().unwrap();
    assert_eq!(got.len(), data.len());
    assert!(got == data, "the bytes differ");
    assert!(child.wait().await.unwrap().success());
}

/// The same over TCP: write a megabyte, drop the stream, the peer reads
/// every byte and then the end of the stream.
#[a::test]
async fn a_dropped_tcp_stream_finishes_its_queued_writes() {
    use a::uv::tcp::{TcpListener, TcpStream};
    let data: Vec<u8> = (0..1024 * 1024).map(|i| (i % 253) as u8).collect();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut client = TcpStream::connect(listener.local_addr()).await.unwrap();
    let (mut server, _) = listener.accept().await.unwrap();
    client.write_all(&data).await.unwrap();
    drop(client);
    let mut got = Vec::new();
    let mut buf = vec![0u8; 65536];
    loop {
        let n = server.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got.len(), data.len());
    assert!(got == data, "the bytes differ");
}

/// "localhost" comes back once per address (the system lists each once per
/// socket type); asking for a socket type gives only that type.
#[a::test]
async fn getaddrinfo_lists_each_address_once() {
    use a::uv::dns::{getaddrinfo, getaddrinfo_typed, SockType};
    let unique = getaddrinfo("localhost", None).await.unwrap();
    let mut addrs: Vec<_> = unique.iter().map(|ai| ai.addr).collect();
    let n = addrs.len();
    addrs.sort();
    addrs.dedup();
    assert_eq!(addrs.len(), n, "{unique:?}");
    let every = getaddrinfo_typed("localhost", None, None).await.unwrap();
    assert!(every.len() >= unique.len());
    let tcp = getaddrinfo_typed("localhost", None, Some(SockType::Stream))
        .await
        .unwrap();
    assert!(!tcp.is_empty() && tcp.iter().all(|ai| ai.socktype == SockType::Stream));
}

/// A reader that fails once with the runtime's `Canceled`, then would give
/// data: an I/O loop that took the failure for a retry would read on.
struct CanceledOnce(bool);

impl futures_util::AsyncRead for CanceledOnce {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &mut [u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        if !self.0 {
            self.0 = true;
            return std::task::Poll::Ready(Err(a::JoinError::Canceled.into()));
        }
        buf[0] = b'x';
        std::task::Poll::Ready(Ok(1))
    }
}

#[a::test]
async fn a_canceled_read_ends_futures_io_loops_instead_of_being_retried() {
    use futures_util::AsyncReadExt;
    let mut all = Vec::new();
    let err = CanceledOnce(false)
        .take(4)
        .read_to_end(&mut all)
        .await
        .unwrap_err();
    assert_ne!(err.kind(), std::io::ErrorKind::Interrupted);
    assert!(all.is_empty(), "nothing was read after the cancellation");
    let inner = err
        .into_inner()
        .unwrap()
        .downcast::<a::JoinError>()
        .unwrap();
    assert!(inner.is_canceled());
    // std's loops too.
    let std_err: std::io::Error = a::JoinError::Canceled.into();
    let mut reader = std::io::Read::chain(FailOnce(Some(std_err)), &b"more"[..]);
    let mut out = Vec::new();
    assert!(std::io::Read::read_to_end(&mut reader, &mut out).is_err());
    assert!(out.is_empty());
}

struct FailOnce(Option<std::io::Error>);

impl std::io::Read for FailOnce {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        match self.0.take() {
            Some(e) => Err(e),
            None => Ok(0),
        }
    }
}
