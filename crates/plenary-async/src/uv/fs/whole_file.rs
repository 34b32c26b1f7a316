//! Whole-file conveniences: [`read`], [`read_to_string`], [`write`](write()).

use super::*;

/// Reads a whole file (`read_to_end`).
///
/// # Cancel safety
///
/// Cancel safe: it changes nothing; the file opened for it is closed however
/// the future ends.
///
/// ```
/// let bytes = plenary_async::block_on(plenary_async::uv::fs::read("/dev/null")).unwrap();
/// assert!(bytes.is_empty());
/// ```
pub async fn read(path: impl AsRef<Path>) -> Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    let shown = shown(&path);
    // One trip to the thread pool for open, stat, reads and close.
    crate::uv::work::run("fs_read", shown, move || std::fs::read(path)).await
}

/// Reads a whole file as UTF-8 (`EILSEQ` naming the path if it is not).
///
/// # Cancel safety
///
/// Cancel safe: as for [`read`].
///
/// ```
/// let text = plenary_async::block_on(plenary_async::uv::fs::read_to_string("/dev/null")).unwrap();
/// assert_eq!(text, "");
/// ```
pub async fn read_to_string(path: impl AsRef<Path>) -> Result<String> {
    let path = path.as_ref().to_owned();
    let shown = shown(&path);
    crate::uv::work::run("fs_read", shown, move || std::fs::read_to_string(path)).await
}

/// Writes `data` as the whole content of `path`, creating or truncating it
/// (plenary's `fs_write` of a whole file).
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future before it resolves asks libuv to skip
/// the request if its thread pool has not started it, but a request already
/// running completes: the file may be created or truncated and written in part
/// although the future was dropped.
///
/// ```
/// # use plenary_async as a;
/// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// a::block_on(a::uv::fs::write(dir.join("f"), "content")).unwrap();
/// assert_eq!(a::block_on(a::uv::fs::read(dir.join("f"))).unwrap(), b"content");
/// # a::block_on(a::uv::fs::unlink(dir.join("f"))).unwrap(); a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
/// ```
pub async fn write(path: impl AsRef<Path>, data: impl Into<Vec<u8>>) -> Result<()> {
    let path = path.as_ref().to_owned();
    let shown = shown(&path);
    let data = data.into();
    // One trip to the thread pool for open, writes and close.
    crate::uv::work::run("fs_write", shown, move || std::fs::write(path, data)).await
}
