//! Child processes (`uv_spawn`): arguments, environment, working
//! directory, standard streams as pipes, `wait` for the exit status, `kill`.
//! plenary only has a separate callback-style job module; here a child is a
//! value you await, and its output is a [`Pipe`] you read as it comes.
//!
//! ```
//! use plenary_async as a;
//! use a::uv::process::{Command, Stdio};
//!
//! a::block_on(async {
//!     let mut child = Command::new("sh")
//!         .args(["-c", "echo one; echo two >&2; exit 3"])
//!         .stdout(Stdio::Piped)
//!         .stderr(Stdio::Piped)
//!         .spawn()?;
//!     let out = child.stdout.take().unwrap().read_all().await?;
//!     let err = child.stderr.take().unwrap().read_all().await?;
//!     let status = child.wait().await?;
//!     assert_eq!((out.as_slice(), err.as_slice()), (&b"one\n"[..], &b"two\n"[..]));
//!     assert_eq!(status.code(), Some(3));
//!     Ok::<_, a::Error>(())
//! })
//! .unwrap();
//! ```

use super::pipe::{self, Pipe};
use crate::ffi::handle::{state_of, Handle};
use crate::ffi::sys::{self, uv_process_t};
use crate::Error;
use std::cell::Cell;
use std::ffi::{c_char, c_int, CString, OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};
use std::task::{Context, Poll, Waker};

/// Why a program, argument or directory cannot be passed to libuv.
#[cfg(unix)]
const NOT_A_C_STRING: &str = "contains a NUL byte";
#[cfg(windows)]
const NOT_A_C_STRING: &str = "contains a NUL byte or is not valid Unicode";

/// What a child's standard stream is connected to.
///
/// ```
/// use plenary_async::uv::process::Stdio;
/// assert_ne!(Stdio::Piped, Stdio::Null);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stdio {
    /// The parent's own stream (the default).
    Inherit,
    /// `/dev/null`.
    Null,
    /// A new pipe, available as [`Child::stdin`], [`Child::stdout`] or
    /// [`Child::stderr`].
    Piped,
}

/// How to start a child process, like [`std::process::Command`].
///
/// ```
/// use plenary_async as a;
/// use a::uv::process::Command;
///
/// let status = a::block_on(async {
///     Command::new("true").spawn()?.wait().await
/// })
/// .unwrap();
/// assert!(status.success());
/// ```
#[derive(Debug, Clone)]
pub struct Command {
    program: OsString,
    args: Vec<OsString>,
    env: Vec<(OsString, Option<OsString>)>,
    env_clear: bool,
    cwd: Option<PathBuf>,
    stdio: [Stdio; 3],
    detached: bool,
}

impl Command {
    /// A command running `program` (looked up in `PATH` if it has no slash).
    ///
    /// ```
    /// let _ = plenary_async::uv::process::Command::new("ls");
    /// ```
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            env: Vec::new(),
            env_clear: false,
            cwd: None,
            stdio: [Stdio::Inherit; 3],
            detached: false,
        }
    }

    /// Adds an argument.
    ///
    /// ```
    /// let _ = plenary_async::uv::process::Command::new("ls").arg("-l");
    /// ```
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Adds arguments.
    ///
    /// ```
    /// let _ = plenary_async::uv::process::Command::new("ls").args(["-l", "-a"]);
    /// ```
    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(&mut self, args: I) -> &mut Self {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets an environment variable for the child.
    ///
    /// ```
    /// let _ = plenary_async::uv::process::Command::new("env").env("GREETING", "hi");
    /// ```
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Self {
        self.env
            .push((key.as_ref().to_owned(), Some(value.as_ref().to_owned())));
        self
    }

    /// Removes an environment variable for the child.
    ///
    /// ```
    /// let _ = plenary_async::uv::process::Command::new("env").env_remove("HOME");
    /// ```
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Self {
        self.env.push((key.as_ref().to_owned(), None));
        self
    }

    /// Starts the child with an empty environment (plus what
    /// [`env`](Self::env) adds).
    ///
    /// ```
    /// let _ = plenary_async::uv::process::Command::new("env").env_clear();
    /// ```
    pub fn env_clear(&mut self) -> &mut Self {
        self.env_clear = true;
        self.env.clear();
        self
    }

    /// The child's working directory.
    ///
    /// ```
    /// let _ = plenary_async::uv::process::Command::new("pwd").current_dir("/tmp");
    /// ```
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.cwd = Some(dir.as_ref().to_owned());
        self
    }

    /// Where the child's standard input comes from.
    ///
    /// ```
    /// use plenary_async::uv::process::{Command, Stdio};
    /// let _ = Command::new("cat").stdin(Stdio::Piped);
    /// ```
    pub fn stdin(&mut self, s: Stdio) -> &mut Self {
        self.stdio[0] = s;
        self
    }

    /// Where the child's standard output goes.
    ///
    /// ```
    /// use plenary_async::uv::process::{Command, Stdio};
    /// let _ = Command::new("ls").stdout(Stdio::Piped);
    /// ```
    pub fn stdout(&mut self, s: Stdio) -> &mut Self {
        self.stdio[1] = s;
        self
    }

    /// Where the child's standard error goes.
    ///
    /// ```
    /// use plenary_async::uv::process::{Command, Stdio};
    /// let _ = Command::new("ls").stderr(Stdio::Null);
    /// ```
    pub fn stderr(&mut self, s: Stdio) -> &mut Self {
        self.stdio[2] = s;
        self
    }

    /// Starts the child in a new process group and session, so that it
    /// outlives this process's terminal (libuv's `UV_PROCESS_DETACHED`).
    ///
    /// ```
    /// let _ = plenary_async::uv::process::Command::new("sleep").arg("1").detached(true);
    /// ```
    pub fn detached(&mut self, detached: bool) -> &mut Self {
        self.detached = detached;
        self
    }

    fn environment(&self) -> Vec<CString> {
        let mut vars: Vec<(OsString, OsString)> = if self.env_clear {
            Vec::new()
        } else {
            std::env::vars_os().collect()
        };
        for (key, value) in &self.env {
            vars.retain(|(k, _)| k != key);
            if let Some(v) = value {
                vars.push((key.clone(), v.clone()));
            }
        }
        vars.into_iter()
            .filter_map(|(mut k, v)| {
                k.push("=");
                k.push(v);
                crate::ffi::os_c_string(&k).ok()
            })
            .collect()
    }

    /// Starts the child. A program that cannot be run (not found, not
    /// executable) is an error naming it; no child is left behind.
    ///
    /// ```
    /// use plenary_async as a;
    /// let err = a::uv::process::Command::new("/no/such/program").spawn().unwrap_err();
    /// assert!(err.to_string().starts_with("spawn failed: ENOENT"), "{err}");
    /// assert!(err.to_string().contains("/no/such/program"));
    /// ```
    pub fn spawn(&mut self) -> Result<Child, Error> {
        let shown = self.program.to_string_lossy().into_owned();
        let invalid = |what: &str| {
            Error::uv(
                "spawn",
                sys::UV_EINVAL,
                Some(format!("{shown}: {what} {NOT_A_C_STRING}")),
            )
        };
        let c = |s: &OsStr, what| crate::ffi::os_c_string(s).map_err(|_| invalid(what));
        let file = c(&self.program, "the program")?;
        let args: Vec<CString> = std::iter::once(Ok(file.clone()))
            .chain(self.args.iter().map(|a| c(a, "an argument")))
            .collect::<Result<_, _>>()?;
        let env = self.environment();
        let cwd = match &self.cwd {
            Some(d) => Some(c(d.as_os_str(), "the directory")?),
            None => None,
        };
        let mut argv: Vec<*mut c_char> = args.iter().map(|a| a.as_ptr() as *mut c_char).collect();
        argv.push(std::ptr::null_mut());
        let mut envp: Vec<*mut c_char> = env.iter().map(|e| e.as_ptr() as *mut c_char).collect();
        envp.push(std::ptr::null_mut());

        // Pipes for the streams that want one; the child's end is made by
        // libuv, ours is the handle.
        let mut pipes: [Option<Pipe>; 3] = [None, None, None];
        let mut containers = Vec::with_capacity(3);
        for (fd, s) in self.stdio.iter().enumerate() {
            let container = match s {
                Stdio::Inherit => sys::uv_stdio_container_t {
                    flags: sys::UV_INHERIT_FD,
                    data: sys::uv_stdio_data { fd: fd as c_int },
                },
                Stdio::Null => sys::uv_stdio_container_t {
                    flags: sys::UV_IGNORE,
                    data: sys::uv_stdio_data { fd: 0 },
                },
                Stdio::Piped => {
                    let stream = pipe::new_stream(Some(format!("{shown} fd {fd}")))
                        .map_err(|code| Error::uv("spawn", code, Some(shown.clone())))?;
                    let p = Pipe { stream };
                    let direction = if fd == 0 {
                        sys::UV_READABLE_PIPE
                    } else {
                        sys::UV_WRITABLE_PIPE
                    };
                    let c = sys::uv_stdio_container_t {
                        flags: sys::UV_CREATE_PIPE | direction,
                        data: sys::uv_stdio_data {
                            stream: p.stream.raw(),
                        },
                    };
                    pipes[fd] = Some(p);
                    c
                }
            };
            containers.push(container);
        }
        let options = sys::uv_process_options_t {
            exit_cb: Some(on_exit),
            file: file.as_ptr(),
            args: argv.as_mut_ptr(),
            env: envp.as_mut_ptr(),
            cwd: cwd.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
            // No console window on Windows: a child of a GUI Neovim would
            // flash one.
            flags: if cfg!(windows) {
                sys::UV_PROCESS_WINDOWS_HIDE
            } else {
                0
            } | if self.detached {
                sys::UV_PROCESS_DETACHED
            } else {
                0
            },
            stdio_count: containers.len() as c_int,
            stdio: containers.as_mut_ptr(),
            uid: 0,
            gid: 0,
        };
        let loop_ = crate::runtime::with_current(|rt| rt.uv_loop());
        let state = ProcState {
            exit: Cell::new(None),
            waker: Cell::new(None),
        };
        // SAFETY: uv_spawn on fresh handle memory with options whose strings
        // and arrays live across the call (libuv copies what it keeps). It
        // registers the handle even when it fails, which this constructor
        // handles by closing it.
        let handle = unsafe {
            Handle::new_closing_on_error(sys::UV_PROCESS, state, |h: *mut uv_process_t| {
                sys::uv_spawn(loop_, h, &options)
            })
        }
        .map_err(|code| Error::uv("spawn", code, Some(shown.clone())))?;
        // SAFETY: a live, spawned process handle.
        let pid = unsafe { sys::uv_process_get_pid(handle.as_ptr()) } as u32;
        let [stdin, stdout, stderr] = pipes;
        Ok(Child {
            handle,
            pid,
            program: shown,
            stdin,
            stdout,
            stderr,
        })
    }
}

struct ProcState {
    exit: Cell<Option<ExitStatus>>,
    waker: Cell<Option<Waker>>,
}

unsafe extern "C" fn on_exit(process: *mut uv_process_t, exit_status: i64, term_signal: c_int) {
    crate::ffi::callback_guard("exit", || {
        // SAFETY: a live process handle made by `Command::spawn`.
        let st: &ProcState = unsafe { state_of(process.cast()) };
        st.exit.set(Some(ExitStatus {
            code: exit_status,
            signal: term_signal,
        }));
        if let Some(w) = st.waker.take() {
            w.wake();
        }
    })
}

/// How a child ended.
///
/// ```
/// use plenary_async as a;
/// let st = a::block_on(async { a::uv::process::Command::new("false").spawn()?.wait().await }).unwrap();
/// assert!(!st.success());
/// assert_eq!(st.code(), Some(1));
/// assert_eq!(st.signal(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExitStatus {
    code: i64,
    signal: c_int,
}

impl ExitStatus {
    /// Exited with code 0.
    ///
    /// ```
    /// # use plenary_async as a;
    /// let st = a::block_on(async { a::uv::process::Command::new("true").spawn()?.wait().await }).unwrap();
    /// assert!(st.success());
    /// ```
    pub fn success(&self) -> bool {
        self.signal == 0 && self.code == 0
    }

    /// The exit code, unless a signal ended it.
    ///
    /// ```
    /// # use plenary_async as a;
    /// let st = a::block_on(async { a::uv::process::Command::new("sh").args(["-c", "exit 7"]).spawn()?.wait().await }).unwrap();
    /// assert_eq!(st.code(), Some(7));
    /// ```
    pub fn code(&self) -> Option<i64> {
        (self.signal == 0).then_some(self.code)
    }

    /// The signal that ended it, if one did.
    ///
    /// ```
    /// # use plenary_async as a;
    /// let st = a::block_on(async {
    ///     let child = a::uv::process::Command::new("sleep").arg("30").spawn()?;
    ///     child.send_signal(libc::SIGTERM)?;
    ///     let mut child = child;
    ///     child.wait().await
    /// })
    /// .unwrap();
    /// assert_eq!(st.signal(), Some(libc::SIGTERM));
    /// ```
    pub fn signal(&self) -> Option<i32> {
        (self.signal != 0).then_some(self.signal)
    }
}

/// A running (or finished) child process. Dropping it does not kill the
/// child; [`kill`](Self::kill) it first if that is wanted. Once it is
/// dropped, libuv no longer reaps the child: one that exits afterwards stays
/// a zombie until this process ends, so [`wait`](Self::wait) for children
/// you start.
///
/// ```
/// use plenary_async as a;
/// use a::io::{AsyncReadExt as _, AsyncWriteExt as _};
/// use a::uv::process::{Command, Stdio};
///
/// a::block_on(async {
///     let mut child = Command::new("cat").stdin(Stdio::Piped).stdout(Stdio::Piped).spawn()?;
///     let mut input = child.stdin.take().unwrap();
///     input.write_all(b"echoed by cat").await?;
///     drop(input); // closes cat's input once the queued bytes are written: cat ends
///     let out = child.stdout.take().unwrap().read_all().await?;
///     assert_eq!(out, b"echoed by cat");
///     assert!(child.wait().await?.success());
///     Ok::<_, a::Error>(())
/// })
/// .unwrap();
/// ```
pub struct Child {
    handle: Handle<ProcState>,
    pid: u32,
    program: String,
    /// The child's standard input, if [`Stdio::Piped`].
    pub stdin: Option<Pipe>,
    /// The child's standard output, if [`Stdio::Piped`].
    pub stdout: Option<Pipe>,
    /// The child's standard error, if [`Stdio::Piped`].
    pub stderr: Option<Pipe>,
}

impl Child {
    /// The process id.
    ///
    /// ```
    /// # use plenary_async as a;
    /// let mut child = a::uv::process::Command::new("true").spawn().unwrap();
    /// assert!(child.pid() > 0);
    /// # a::block_on(child.wait()).unwrap();
    /// ```
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Waits for the child to exit. Other tasks, and the reading of its
    /// output, go on meanwhile.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future loses nothing; wait
    /// again later.
    ///
    /// ```
    /// use plenary_async as a;
    /// let status = a::block_on(async {
    ///     let mut child = a::uv::process::Command::new("sh").args(["-c", "exit 5"]).spawn()?;
    ///     child.wait().await
    /// })
    /// .unwrap();
    /// assert_eq!(status.code(), Some(5));
    /// ```
    pub async fn wait(&mut self) -> Result<ExitStatus, Error> {
        std::future::poll_fn(|cx| self.poll_wait(cx)).await
    }

    fn poll_wait(&self, cx: &mut Context<'_>) -> Poll<Result<ExitStatus, Error>> {
        let st = self.handle.state();
        if let Some(status) = st.exit.get() {
            return Poll::Ready(Ok(status));
        }
        st.waker.set(Some(cx.waker().clone()));
        Poll::Pending
    }

    /// The exit status if the child has exited, without waiting.
    ///
    /// ```
    /// # use plenary_async as a;
    /// let child = a::uv::process::Command::new("sleep").arg("30").spawn().unwrap();
    /// assert_eq!(child.try_wait(), None);
    /// child.kill().unwrap();
    /// ```
    pub fn try_wait(&self) -> Option<ExitStatus> {
        self.handle.state().exit.get()
    }

    /// Kills the child with `SIGKILL` (on Windows, `TerminateProcess`), as
    /// std's `Child::kill`; it does not wait for the exit ([`wait`](Child::wait)
    /// does). A child that has already exited is `ESRCH`.
    ///
    /// ```
    /// # use plenary_async as a;
    /// let mut child = a::uv::process::Command::new("sleep").arg("30").spawn().unwrap();
    /// child.kill().unwrap();
    /// # #[cfg(unix)]
    /// assert_eq!(a::block_on(child.wait()).unwrap().signal(), Some(libc::SIGKILL));
    /// ```
    pub fn kill(&self) -> Result<(), Error> {
        // libuv's number for it on every platform (Windows included,
        // where libuv turns it into TerminateProcess).
        const SIGKILL: i32 = 9;
        self.send_signal(SIGKILL)
    }

    /// Sends signal `signum` to the child (plenary's `process_kill`). A
    /// signal number that does not exist is `EINVAL`; a child that has
    /// already exited is `ESRCH`.
    ///
    /// ```
    /// # use plenary_async as a;
    /// let mut child = a::uv::process::Command::new("sleep").arg("30").spawn().unwrap();
    /// assert!(child.send_signal(12345).unwrap_err().to_string().contains("EINVAL"));
    /// child.send_signal(libc::SIGTERM).unwrap();
    /// assert_eq!(a::block_on(child.wait()).unwrap().signal(), Some(libc::SIGTERM));
    /// ```
    #[doc(alias = "process_kill")]
    pub fn send_signal(&self, signum: i32) -> Result<(), Error> {
        if self.try_wait().is_some() {
            return Err(Error::uv(
                "process_kill",
                sys::UV_ESRCH,
                Some(self.program.clone()),
            ));
        }
        // SAFETY: a live process handle.
        let rc = unsafe { sys::uv_process_kill(self.handle.as_ptr(), signum) };
        if rc < 0 {
            return Err(Error::uv("process_kill", rc, Some(self.program.clone())));
        }
        Ok(())
    }
}

impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child")
            .field("program", &self.program)
            .field("pid", &self.pid)
            .field("exit", &self.try_wait())
            .finish()
    }
}

impl Pipe {
    /// Reads until the end of the stream and returns everything (a child's
    /// whole output, say).
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: dropping the future loses the bytes read so far; what
    /// was not read yet stays in the pipe.
    ///
    /// ```
    /// use plenary_async as a;
    /// use a::uv::process::{Command, Stdio};
    /// let out = a::block_on(async {
    ///     let mut child = Command::new("echo").arg("hi").stdout(Stdio::Piped).spawn()?;
    ///     child.stdout.take().unwrap().read_all().await
    /// })
    /// .unwrap();
    /// assert_eq!(out, b"hi\n");
    /// ```
    pub async fn read_all(&mut self) -> Result<Vec<u8>, Error> {
        let mut all = Vec::new();
        crate::io::AsyncReadExt::read_to_end(self, &mut all).await?;
        Ok(all)
    }
}
