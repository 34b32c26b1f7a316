//! Terminals as streams (plenary's `a.uv` TTY functions): a TTY file
//! descriptor read and written like a pipe, plus its window size.
//!
//! ```
//! use plenary_async as a;
//! use std::io::IsTerminal;
//! use std::os::fd::AsFd;
//!
//! // Standard output is a terminal only when run from one.
//! if std::io::stdout().is_terminal() {
//!     let fd = std::io::stdout().as_fd().try_clone_to_owned().unwrap();
//!     let tty = a::uv::tty::Tty::new(fd, false).unwrap();
//!     let (cols, rows) = tty.window_size().unwrap();
//!     assert!(cols > 0 && rows > 0);
//! }
//! ```

use super::stream::{stream_io, Ops, Stream};
use crate::ffi::sys;
use crate::uv::fs::OwnedFile;
use crate::Error;
use std::ffi::c_int;
use std::fmt;

const OPS: Ops = Ops {
    read: "tty_read",
    write: "tty_write",
    shutdown: "tty_shutdown",
};

/// A terminal (or any stream-like descriptor libuv accepts as one).
/// Dropping it closes the descriptor.
///
/// ```
/// use plenary_async as a;
/// // A regular file is not a terminal.
/// let file = std::fs::File::open("/etc/hostname").unwrap();
/// let err = a::uv::tty::Tty::new(file.into(), true).unwrap_err();
/// assert!(err.to_string().starts_with("tty_init failed: EINVAL"), "{err}");
/// ```
pub struct Tty {
    stream: Stream,
}

stream_io!(
    Tty,
    r#"
    let (x, y) = std::os::unix::net::UnixStream::pair().unwrap();
    let mut ours = a::uv::tty::Tty::new(x.into(), true)?;
    let mut theirs = a::uv::tty::Tty::new(y.into(), true)?;"#
);

impl Tty {
    /// Wraps `fd`, taking ownership; `readable` says whether it will be read.
    ///
    /// ```
    /// use plenary_async as a;
    /// // A socket works as a stream too (libuv accepts any stream-like fd).
    /// let (ours, _theirs) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let tty = a::uv::tty::Tty::new(ours.into(), true);
    /// assert!(tty.is_ok());
    /// ```
    pub fn new(fd: crate::uv::OwnedOs, readable: bool) -> Result<Tty, Error> {
        let loop_ = crate::runtime::with_current(|rt| rt.uv_loop());
        let file = OwnedFile::from_os(fd).map_err(|code| Error::uv("tty_init", code, None))?;
        let raw = file.raw();
        // SAFETY: a fresh TTY handle on this thread's live loop, and a
        // descriptor we own.
        let stream = unsafe {
            Stream::new(sys::UV_TTY, OPS, |h| {
                sys::uv_tty_init(loop_, h.cast(), raw, readable as c_int)
            })
        };
        // On failure libuv did not take the descriptor: dropping `file`
        // closes it. On success libuv closes it with the handle.
        let stream = stream.map_err(|code| Error::uv("tty_init", code, None))?;
        file.into_raw();
        Ok(Tty { stream })
    }

    /// The terminal's size as `(columns, rows)`.
    ///
    /// ```
    /// use plenary_async as a;
    /// let (ours, _theirs) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let tty = a::uv::tty::Tty::new(ours.into(), true).unwrap();
    /// assert!(tty.window_size().is_err()); // not a real terminal
    /// ```
    pub fn window_size(&self) -> Result<(u32, u32), Error> {
        let (mut w, mut h) = (0, 0);
        // SAFETY: a live TTY handle; libuv writes two ints.
        let rc = unsafe { sys::uv_tty_get_winsize(self.stream.raw(), &mut w, &mut h) };
        crate::ffi::check("tty_get_winsize", rc)?;
        Ok((w as u32, h as u32))
    }
}

impl fmt::Debug for Tty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tty").finish_non_exhaustive()
    }
}
