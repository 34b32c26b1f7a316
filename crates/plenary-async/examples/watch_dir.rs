//! Watching a directory for changes.
//!
//! `cargo run --example watch_dir [DIR]` watches DIR and prints events
//! until interrupted. Without DIR it watches a new temporary directory,
//! makes a few changes there itself, prints what it sees, and exits.

use a::uv::{fs, watch};
use plenary_async as a;

#[a::main]
async fn main() {
    if let Some(dir) = std::env::args().nth(1) {
        let mut events = watch::fs_event(&dir).unwrap_or_else(|e| panic!("{e}"));
        println!("watching {dir} (Ctrl-C to stop)");
        while let Some(event) = events.next().await {
            println!("{:?}", event.unwrap());
        }
        return;
    }
    let dir = fs::mkdtemp(std::env::temp_dir().join("plenary-watch-XXXXXX"))
        .await
        .unwrap();
    let mut events = watch::fs_event(&dir).unwrap();
    println!("watching {}", dir.display());
    let changes = a::spawn({
        let dir = dir.clone();
        async move {
            fs::write(dir.join("a.txt"), "one").await.unwrap();
            a::util::sleep(50).await;
            fs::rename(dir.join("a.txt"), dir.join("b.txt"))
                .await
                .unwrap();
            a::util::sleep(50).await;
            fs::unlink(dir.join("b.txt")).await.unwrap();
        }
    });
    let mut saw_removal = false;
    while !saw_removal {
        let Ok(Some(event)) =
            a::util::timeout(std::time::Duration::from_secs(5), events.next()).await
        else {
            break;
        };
        let event = event.unwrap();
        println!(
            "{:<8} renamed={:<5} changed={}",
            event
                .file
                .as_ref()
                .map_or("?".into(), |f| f.display().to_string()),
            event.renamed,
            event.changed
        );
        saw_removal = event.renamed && event.file.as_deref() == Some(std::path::Path::new("b.txt"));
    }
    changes.await.unwrap();
    drop(events);
    fs::rmdir(&dir).await.unwrap();
}
