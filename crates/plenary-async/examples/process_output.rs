//! Running a process and streaming its output as it comes.
//!
//! `cargo run --example process_output` runs a small shell loop that prints
//! a line every 200 ms; each line is printed here when it arrives, not when
//! the process ends.

use a::io::AsyncReadExt;
use a::uv::process::{Command, Stdio};
use plenary_async as a;
use std::time::Instant;

#[a::main]
async fn main() {
    let start = Instant::now();
    let mut child = Command::new("sh")
        .args([
            "-c",
            "for i in 1 2 3 4 5; do echo \"line $i\"; sleep 0.2; done; exit 0",
        ])
        .stdout(Stdio::Piped)
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    println!("started pid {}", child.pid());
    let mut out = child.stdout.take().unwrap();
    let mut pending = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let n = out.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        pending.extend_from_slice(&buf[..n]);
        while let Some(i) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=i).collect();
            println!(
                "[{:>4} ms] {}",
                start.elapsed().as_millis(),
                String::from_utf8_lossy(&line[..i])
            );
        }
    }
    let status = child.wait().await.unwrap();
    println!("[{:>4} ms] exited: {status:?}", start.elapsed().as_millis());
}
