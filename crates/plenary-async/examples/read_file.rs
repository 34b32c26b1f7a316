//! Reading a file with `a::uv::fs`: metadata, the whole content, and a
//! directory listing as a stream.
//!
//! `cargo run --example read_file [PATH]` (default: this example's own
//! source).

use a::uv::fs;
use plenary_async as a;

#[a::main]
async fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/read_file.rs").to_owned()
    });
    let meta = match fs::stat(&path).await {
        Ok(meta) => meta,
        Err(e) => {
            eprintln!("{e}"); // e.g. `fs_stat failed: ENOENT (no such file or directory) for "…"`
            std::process::exit(1);
        }
    };
    println!(
        "{path}: {} bytes, mode {:o}",
        meta.len(),
        meta.mode() & 0o7777
    );
    let text = fs::read_to_string(&path).await.unwrap();
    for line in text.lines().take(3) {
        println!("  | {line}");
    }
    println!("  ({} lines)", text.lines().count());

    let dir = std::path::Path::new(&path)
        .parent()
        .unwrap_or(std::path::Path::new("."));
    let mut entries = fs::read_dir(dir).await.unwrap();
    let mut names = Vec::new();
    while let Some(entry) = entries.next().await {
        names.push(entry.unwrap().name.to_string_lossy().into_owned());
    }
    names.sort();
    println!(
        "{} holds {} entries: {}",
        dir.display(),
        names.len(),
        names.join(", ")
    );
}
