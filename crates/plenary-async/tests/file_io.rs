//! fs::File as futures-io's AsyncRead, AsyncWrite and AsyncSeek: at the
//! descriptor's own position, beside the positional read_at/write_at, and
//! nothing lost when a caller stops polling.

use futures_util::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use futures_util::FutureExt;
use plenary_async as a;
use std::io::SeekFrom;
use std::path::PathBuf;

async fn scratch() -> PathBuf {
    a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-file-io-XXXXXX"))
        .await
        .unwrap()
}

/// A scratch directory holding the file `f` with `contents`, open for
/// reading.
async fn scratch_file(contents: &str) -> std::io::Result<(PathBuf, a::uv::fs::File)> {
    let dir = scratch().await;
    a::uv::fs::write(dir.join("f"), contents).await?;
    let file = a::uv::fs::File::open(dir.join("f")).await?;
    Ok((dir, file))
}

/// Closes `file`, then removes it and its scratch directory (Windows
/// removes an open file only once it is closed).
async fn remove(dir: PathBuf, file: a::uv::fs::File) -> std::io::Result<()> {
    file.close().await?;
    a::uv::fs::unlink(dir.join("f")).await?;
    a::uv::fs::rmdir(&dir).await?;
    Ok(())
}

#[test]
fn io_copy_between_files_copies_every_byte() {
    a::block_on(async {
        let dir = scratch().await;
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        a::uv::fs::write(dir.join("from"), data.clone()).await?;
        let mut from = a::uv::fs::File::open(dir.join("from")).await?;
        let mut to = a::uv::fs::File::create(dir.join("to")).await?;
        let n = futures_util::io::copy(&mut from, &mut to).await?;
        AsyncWriteExt::close(&mut to).await?;
        assert_eq!(n, data.len() as u64);
        assert_eq!(a::uv::fs::read(dir.join("to")).await?, data);
        // (Closed before they are removed: Windows removes an open file
        // only once it is closed, and its folder stays non-empty till then.)
        from.close().await?;
        to.close().await?;
        for f in ["from", "to"] {
            a::uv::fs::unlink(dir.join(f)).await?;
        }
        a::uv::fs::rmdir(&dir).await?;
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
}

#[test]
fn the_traits_and_the_positional_calls_share_the_descriptor() {
    a::block_on(async {
        let (dir, mut file) = scratch_file("abcdefghij").await?;
        let mut next = [0u8; 3];
        AsyncReadExt::read_exact(&mut file, &mut next).await?;
        assert_eq!(&next, b"abc");
        // A positional read leaves the position alone.
        assert_eq!(file.read_at(2, 8).await?, b"ij");
        assert_eq!(file.seek(SeekFrom::Current(0)).await?, 3);
        let mut rest = Vec::new();
        AsyncReadExt::read_to_end(&mut file, &mut rest).await?;
        assert_eq!(rest, b"defghij");
        remove(dir, file).await
    })
    .unwrap();
}

#[test]
fn a_read_dropped_while_in_flight_gives_its_bytes_back() {
    a::block_on(async {
        let (dir, mut file) = scratch_file("0123456789").await?;
        {
            // Started (the request is on its way), then abandoned.
            let mut buf = [0u8; 4];
            let first = AsyncReadExt::read(&mut file, &mut buf).now_or_never();
            assert!(
                first.is_none(),
                "a file read cannot complete without the loop"
            );
        }
        // The next call finishes that read and moves back over its bytes.
        let mut all = Vec::new();
        AsyncReadExt::read_to_end(&mut file, &mut all).await?;
        assert_eq!(all, b"0123456789");
        remove(dir, file).await
    })
    .unwrap();
}
