//! `a.uv`'s handle functions for Lua: TCP, pipe and UDP handles of the
//! plenary-async runtime (not luv's), with plenary's names and `(err,
//! result)` returns.
//!
//! A handle starts empty (`new_tcp()`, `new_pipe()`, `new_udp()`, like
//! luv's) and becomes what the first operation makes it: connected
//! (`tcp_connect`, `pipe_connect`, `pipe_open`, `accept`), listening
//! (`tcp_bind`, `pipe_bind`) or a bound UDP socket (`udp_bind`, or the first
//! `udp_send`/`udp_recv_start`). Each awaited operation returns once, with
//! its result, where luv calls a callback (for `listen` and
//! `udp_recv_start`, once per connection or datagram, which plenary could
//! not await):
//!
//! - `listen(server)` waits for the next connection and leaves it for
//!   `accept(server, client)`;
//! - `read(stream)` returns the next chunk (`nil` at the end of the stream);
//! - `udp_recv_start(udp)` returns the next datagram.
//!
//! Tasks may use one handle at once: reads (and `listen`, and UDP receives)
//! take turns in call order, as do writes. `close(handle)` ends the
//! operations still waiting on it with `ECANCELED`.

use crate::args::{Bytes, Name};
use crate::uv::message;
use futures_io::{AsyncRead, AsyncWrite};
use mlua::prelude::*;
use plenary_async::control::Semaphore;
use plenary_async::uv::pipe::{Pipe, PipeListener};
use plenary_async::uv::tcp::{TcpListener, TcpStream};
use plenary_async::uv::udp::UdpSocket;
use plenary_async::Error;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::net::{IpAddr, SocketAddr};
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::task::{Poll, Waker};

/// The size of one `read` or `udp_recv_start` buffer.
const READ_SIZE: usize = 64 * 1024;
/// The registry name of the handles' method table (set by `init.lua`).
const METHODS: &str = "plenary_async.handle_methods";

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Tcp,
    Pipe,
    Udp,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Tcp => "tcp",
            Kind::Pipe => "pipe",
            Kind::Udp => "udp",
        }
    }
}

/// A connected stream.
enum Conn {
    Tcp(TcpStream),
    Pipe(Pipe),
}

trait Io: AsyncRead + AsyncWrite + Unpin {}
impl<T: AsyncRead + AsyncWrite + Unpin> Io for T {}

impl Conn {
    fn io(&mut self) -> Pin<&mut dyn Io> {
        match self {
            Conn::Tcp(s) => Pin::new(s),
            Conn::Pipe(s) => Pin::new(s),
        }
    }
}

enum State {
    /// Made by `new_*`: not yet bound, connected or listening.
    Fresh,
    Connecting,
    TcpListener(Rc<TcpListener>),
    PipeListener(Rc<PipeListener>),
    Conn(Conn),
    Udp(Rc<UdpSocket>),
    Closed,
}

/// What a Lua handle refers to; operations hold it while they wait.
struct HandleShared {
    kind: Kind,
    state: RefCell<State>,
    /// Connections `listen` has taken, for `accept`.
    pending: RefCell<VecDeque<Conn>>,
    /// Wakers of the operations waiting, to wake when the handle closes.
    waiting: RefCell<Vec<(u64, Waker)>>,
    next_id: Cell<u64>,
    /// Reads, `listen` and UDP receives take turns (FIFO).
    reading: Semaphore,
    /// Writes and `shutdown` take turns (FIFO).
    writing: Semaphore,
}

/// The Lua userdata of a handle.
pub struct Handle(Rc<HandleShared>);

impl LuaUserData for Handle {
    fn add_methods<M: LuaUserDataMethods<Self>>(methods: &mut M) {
        methods.add_meta_function(
            LuaMetaMethod::Index,
            |lua, (_, key): (LuaAnyUserData, LuaValue)| {
                let t: LuaTable = lua.named_registry_value(METHODS)?;
                t.get::<LuaValue>(key)
            },
        );
        methods.add_meta_method(LuaMetaMethod::ToString, |_, this, ()| {
            Ok(format!(
                "plenary_async.uv_{}: {:p}",
                this.0.kind.name(),
                Rc::as_ptr(&this.0)
            ))
        });
    }
}

/// An error in luv's form, for the `err` of `(err, result)`.
fn fail(op: &'static str, name: &'static str, errno: i32, detail: &str) -> String {
    message(&Error::Uv {
        op,
        name,
        code: -errno,
        path: Some(detail.to_owned()),
    })
}

fn canceled(op: &'static str) -> String {
    fail(op, "ECANCELED", libc::ECANCELED, "the handle was closed")
}

fn closed(op: &'static str) -> String {
    fail(op, "EBADF", libc::EBADF, "the handle is closed")
}

/// The libuv error inside an `io::Error` from a stream, in luv's form.
fn io_message(e: std::io::Error) -> String {
    match e.into_inner().map(|b| b.downcast::<Error>()) {
        Some(Ok(err)) => message(&err),
        Some(Err(other)) => other.to_string(),
        None => "EIO: i/o error".to_owned(),
    }
}

impl HandleShared {
    fn new(kind: Kind) -> HandleShared {
        HandleShared {
            kind,
            state: RefCell::new(State::Fresh),
            pending: RefCell::new(VecDeque::new()),
            waiting: RefCell::new(Vec::new()),
            next_id: Cell::new(0),
            reading: Semaphore::new(1),
            writing: Semaphore::new(1),
        }
    }

    fn is_closed(&self) -> bool {
        matches!(*self.state.borrow(), State::Closed)
    }

    /// Runs `fut` until it finishes (`Some`) or the handle is closed
    /// (`None`; `fut` is dropped).
    async fn unless_closed<T>(&self, fut: impl Future<Output = T>) -> Option<T> {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let mut fut = pin!(fut);
        let out = poll_fn(|cx| {
            if self.is_closed() {
                return Poll::Ready(None);
            }
            if let Poll::Ready(v) = fut.as_mut().poll(cx) {
                return Poll::Ready(Some(v));
            }
            let mut waiting = self.waiting.borrow_mut();
            match waiting.iter_mut().find(|(i, _)| *i == id) {
                Some((_, w)) => w.clone_from(cx.waker()),
                None => waiting.push((id, cx.waker().clone())),
            }
            Poll::Pending
        })
        .await;
        self.waiting.borrow_mut().retain(|(i, _)| *i != id);
        out
    }

    fn close(&self) {
        let old = self.state.replace(State::Closed);
        let pending = std::mem::take(&mut *self.pending.borrow_mut());
        // Dropping them closes their libuv handles (freed in libuv's close
        // callbacks).
        drop((old, pending));
        let waiting = std::mem::take(&mut *self.waiting.borrow_mut());
        for (_, w) in waiting {
            w.wake();
        }
    }

    /// Waits for this task's turn on `sem` (reads or writes); an error if
    /// the handle is closed before or meanwhile.
    async fn turn(
        &self,
        sem: &Semaphore,
        op: &'static str,
    ) -> Result<plenary_async::control::Permit, String> {
        if self.is_closed() {
            return Err(closed(op));
        }
        self.unless_closed(sem.acquire())
            .await
            .ok_or_else(|| canceled(op))
    }

    /// Polls `f` on the connected stream, borrowing it for each poll only
    /// (other tasks may read while one writes).
    async fn with_conn<T>(
        &self,
        op: &'static str,
        mut f: impl FnMut(&mut Conn, &mut std::task::Context<'_>) -> Poll<Result<T, String>>,
    ) -> Result<T, String> {
        let polled = poll_fn(|cx| match &mut *self.state.borrow_mut() {
            State::Conn(c) => f(c, cx),
            State::Closed => Poll::Ready(Err(canceled(op))),
            _ => Poll::Ready(Err(not_connected(op, self.kind))),
        });
        self.unless_closed(polled)
            .await
            .unwrap_or_else(|| Err(canceled(op)))
    }
}

fn not_connected(op: &'static str, kind: Kind) -> String {
    fail(
        op,
        "ENOTCONN",
        libc::ENOTCONN,
        &format!("the {} handle is not connected", kind.name()),
    )
}

fn shared(v: &LuaValue, fname: &str, want: Option<Kind>) -> LuaResult<Rc<HandleShared>> {
    let h = match v {
        LuaValue::UserData(ud) => ud.borrow::<Handle>().ok(),
        _ => None,
    };
    let s = match h {
        Some(h) => h.0.clone(),
        None => {
            return Err(LuaError::runtime(format!(
                "plenary_async.uv.{fname}: expected a handle from plenary_async.uv.new_tcp/new_pipe/new_udp, got {}",
                match v {
                    LuaValue::UserData(_) => "another userdata",
                    other => other.type_name(),
                }
            )))
        }
    };
    if let Some(want) = want {
        if s.kind != want {
            return Err(LuaError::runtime(format!(
                "plenary_async.uv.{fname}: expected a {} handle, got a {} handle",
                want.name(),
                s.kind.name()
            )));
        }
    }
    Ok(s)
}

fn socket_addr(fname: &'static str, host: &str, port: u16) -> Result<SocketAddr, String> {
    host.parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, port))
        .map_err(|_| {
            fail(
                fname,
                "EINVAL",
                libc::EINVAL,
                &format!("{host} is not an IP address (resolve names with getaddrinfo)"),
            )
        })
}

/// luv's address table: `{ ip, port, family }`.
fn addr_table(lua: &Lua, a: SocketAddr) -> LuaResult<LuaTable> {
    let t = lua.create_table()?;
    t.set("ip", a.ip().to_string())?;
    t.set("port", a.port())?;
    t.set("family", if a.is_ipv4() { "inet" } else { "inet6" })?;
    Ok(t)
}

/// `nil` or the error string, for operations that return only `err`.
fn status(lua: &Lua, r: Result<(), String>) -> LuaResult<LuaMultiValue> {
    match r {
        Ok(()) => LuaValue::Nil.into_lua_multi(lua),
        Err(e) => e.into_lua_multi(lua),
    }
}

/// luv's return of a synchronous function: `0`, or `nil, err, name`.
fn sync_status(lua: &Lua, r: Result<(), String>) -> LuaResult<LuaMultiValue> {
    match r {
        Ok(()) => 0.into_lua_multi(lua),
        Err(e) => {
            let name = e.split(':').next().unwrap_or("").to_owned();
            (LuaValue::Nil, e, name).into_lua_multi(lua)
        }
    }
}

/// Takes the fresh state for a new role, or says why not.
fn take_fresh(s: &HandleShared, op: &'static str, next: State) -> Result<(), String> {
    let mut st = s.state.borrow_mut();
    match &*st {
        State::Fresh => {
            *st = next;
            Ok(())
        }
        State::Closed => Err(closed(op)),
        State::Connecting => Err(fail(
            op,
            "EALREADY",
            libc::EALREADY,
            "a connect is in progress",
        )),
        _ => Err(fail(
            op,
            "EISCONN",
            libc::EISCONN,
            &format!("the {} handle is already in use", s.kind.name()),
        )),
    }
}

/// Gives a fresh handle its role: `make` binds or opens it.
fn establish(
    s: &HandleShared,
    op: &'static str,
    make: impl FnOnce() -> Result<State, Error>,
) -> Result<(), String> {
    take_fresh(s, op, State::Fresh)?;
    let state = make().map_err(|e| message(&e))?;
    *s.state.borrow_mut() = state;
    Ok(())
}

/// A connect dropped before it ends (its Lua task canceled: the
/// operation is dropped) leaves the handle fresh, as a failed one does, so
/// that it may connect again; without this it stayed "connecting" for ever.
struct ResetIfDropped<'a>(&'a HandleShared, bool);

impl Drop for ResetIfDropped<'_> {
    fn drop(&mut self) {
        if self.1 {
            if let Ok(mut st) = self.0.state.try_borrow_mut() {
                if matches!(*st, State::Connecting) {
                    *st = State::Fresh;
                }
            }
        }
    }
}

async fn connect<T>(
    s: Rc<HandleShared>,
    op: &'static str,
    fut: impl Future<Output = Result<T, Error>>,
    wrap: impl FnOnce(T) -> Conn,
) -> Result<(), String> {
    take_fresh(&s, op, State::Connecting)?;
    let mut reset = ResetIfDropped(&s, true);
    let out = s.unless_closed(fut).await;
    reset.1 = false;
    let mut st = s.state.borrow_mut();
    match out {
        None => Err(canceled(op)),
        Some(Ok(c)) => {
            *st = State::Conn(wrap(c));
            Ok(())
        }
        Some(Err(e)) => {
            *st = State::Fresh;
            Err(message(&e))
        }
    }
}

/// The UDP socket, bound to the wildcard address of `family_of`'s family
/// first if the handle is fresh (as luv does on a first send or receive).
fn udp_socket(
    s: &HandleShared,
    op: &'static str,
    family_of: IpAddr,
) -> Result<Rc<UdpSocket>, String> {
    let fresh = matches!(*s.state.borrow(), State::Fresh);
    if fresh {
        let any: IpAddr = if family_of.is_ipv4() {
            [0, 0, 0, 0].into()
        } else {
            [0u16; 8].into()
        };
        let sock = UdpSocket::bind(SocketAddr::new(any, 0)).map_err(|e| message(&e))?;
        *s.state.borrow_mut() = State::Udp(Rc::new(sock));
    }
    match &*s.state.borrow() {
        State::Udp(u) => Ok(u.clone()),
        State::Closed => Err(closed(op)),
        _ => unreachable!("a UDP handle is fresh, bound or closed"),
    }
}

pub fn register(lua: &Lua, core: &LuaTable) -> LuaResult<()> {
    let sync = lua.create_table()?;
    let asy = lua.create_table()?;

    for (name, kind) in [
        ("new_tcp", Kind::Tcp),
        ("new_pipe", Kind::Pipe),
        ("new_udp", Kind::Udp),
    ] {
        sync.set(
            name,
            lua.create_function(move |_, _: LuaMultiValue| {
                Ok(Handle(Rc::new(HandleShared::new(kind))))
            })?,
        )?;
    }
    sync.set(
        "_is_handle",
        lua.create_function(|_, v: LuaValue| {
            Ok(matches!(v, LuaValue::UserData(ud) if ud.is::<Handle>()))
        })?,
    )?;
    sync.set(
        "_set_methods",
        lua.create_function(|lua, t: LuaTable| lua.set_named_registry_value(METHODS, t))?,
    )?;
    sync.set(
        "_kind",
        lua.create_function(|_, h: LuaValue| Ok(shared(&h, "_kind", None)?.kind.name()))?,
    )?;
    sync.set(
        "is_closing",
        lua.create_function(|_, h: LuaValue| Ok(shared(&h, "is_closing", None)?.is_closed()))?,
    )?;
    sync.set(
        "tcp_bind",
        lua.create_function(|lua, (h, Name(host), port): (LuaValue, Name, u16)| {
            let s = shared(&h, "tcp_bind", Some(Kind::Tcp))?;
            let r = socket_addr("tcp_bind", &host, port).and_then(|addr| {
                establish(&s, "tcp_bind", || {
                    Ok(State::TcpListener(Rc::new(TcpListener::bind(addr)?)))
                })
            });
            sync_status(lua, r)
        })?,
    )?;
    sync.set(
        "pipe_bind",
        lua.create_function(|lua, (h, Name(name)): (LuaValue, Name)| {
            let s = shared(&h, "pipe_bind", Some(Kind::Pipe))?;
            let r = establish(&s, "pipe_bind", || {
                Ok(State::PipeListener(Rc::new(PipeListener::bind(&name)?)))
            });
            sync_status(lua, r)
        })?,
    )?;
    sync.set(
        "pipe_open",
        lua.create_function(|lua, (h, fd): (LuaValue, i32)| {
            let s = shared(&h, "pipe_open", Some(Kind::Pipe))?;
            if fd < 0 {
                return Err(LuaError::runtime(format!(
                    "plenary_async.uv.pipe_open: {fd} is not a file descriptor"
                )));
            }
            let r = establish(&s, "pipe_open", || {
                // SAFETY: as with luv's pipe_open, Lua hands the descriptor
                // over (on Windows, one of the C runtime of Neovim's
                // libuv, which is ours); the pipe owns and closes it from
                // now on.
                Ok(State::Conn(Conn::Pipe(unsafe { Pipe::from_raw_fd(fd) }?)))
            });
            sync_status(lua, r)
        })?,
    )?;
    sync.set(
        "udp_bind",
        lua.create_function(|lua, (h, Name(host), port): (LuaValue, Name, u16)| {
            let s = shared(&h, "udp_bind", Some(Kind::Udp))?;
            let r = socket_addr("udp_bind", &host, port).and_then(|addr| {
                establish(&s, "udp_bind", || {
                    Ok(State::Udp(Rc::new(UdpSocket::bind(addr)?)))
                })
            });
            sync_status(lua, r)
        })?,
    )?;
    sync.set(
        "accept",
        lua.create_function(|lua, (server, client): (LuaValue, LuaValue)| {
            let s = shared(&server, "accept", None)?;
            let c = shared(&client, "accept", Some(s.kind))?;
            // The server's state is read (and its borrow ended) before the
            // client's is taken: they may be the same handle.
            let listening = match &*s.state.borrow() {
                State::TcpListener(_) | State::PipeListener(_) => Ok(()),
                State::Closed => Err(closed("accept")),
                _ => Err(fail(
                    "accept",
                    "EINVAL",
                    libc::EINVAL,
                    "the server handle is not listening",
                )),
            };
            let r = listening
                .and_then(|()| {
                    if Rc::ptr_eq(&s, &c) {
                        Err(fail(
                            "accept",
                            "EINVAL",
                            libc::EINVAL,
                            "the client must be a new handle, not the server itself",
                        ))
                    } else {
                        Ok(())
                    }
                })
                .and_then(|()| take_fresh(&c, "accept", State::Fresh))
                .and_then(|()| match s.pending.borrow_mut().pop_front() {
                    Some(conn) => {
                        *c.state.borrow_mut() = State::Conn(conn);
                        Ok(())
                    }
                    None => Err(fail(
                        "accept",
                        "EAGAIN",
                        libc::EAGAIN,
                        "no connection is waiting (await listen first)",
                    )),
                });
            sync_status(lua, r)
        })?,
    )?;
    sync.set(
        "getsockname",
        lua.create_function(|lua, h: LuaValue| {
            let s = shared(&h, "getsockname", None)?;
            let st = s.state.borrow();
            let r = match &*st {
                State::TcpListener(l) => Ok(l.local_addr()),
                State::Conn(Conn::Tcp(c)) => c.local_addr().map_err(|e| message(&e)),
                State::Udp(u) => u.local_addr().map_err(|e| message(&e)),
                State::PipeListener(l) => {
                    return l.path().to_string_lossy().into_owned().into_lua_multi(lua)
                }
                State::Closed => Err(closed("getsockname")),
                _ => Err(not_connected("getsockname", s.kind)),
            };
            match r {
                Ok(a) => addr_table(lua, a)?.into_lua_multi(lua),
                Err(e) => (LuaValue::Nil, e).into_lua_multi(lua),
            }
        })?,
    )?;
    sync.set(
        "getpeername",
        lua.create_function(|lua, h: LuaValue| {
            let s = shared(&h, "getpeername", None)?;
            let r = match &*s.state.borrow() {
                State::Conn(Conn::Tcp(c)) => c.peer_addr().map_err(|e| message(&e)),
                State::Closed => Err(closed("getpeername")),
                _ => Err(not_connected("getpeername", s.kind)),
            };
            match r {
                Ok(a) => addr_table(lua, a)?.into_lua_multi(lua),
                Err(e) => (LuaValue::Nil, e).into_lua_multi(lua),
            }
        })?,
    )?;
    sync.set(
        "tcp_nodelay",
        lua.create_function(|lua, (h, on): (LuaValue, bool)| {
            let s = shared(&h, "tcp_nodelay", Some(Kind::Tcp))?;
            let r = match &*s.state.borrow() {
                State::Conn(Conn::Tcp(c)) => c.set_nodelay(on).map_err(|e| message(&e)),
                State::Closed => Err(closed("tcp_nodelay")),
                _ => Err(not_connected("tcp_nodelay", s.kind)),
            };
            sync_status(lua, r)
        })?,
    )?;
    sync.set(
        "tcp_keepalive",
        lua.create_function(|lua, (h, on, delay): (LuaValue, bool, Option<u64>)| {
            let s = shared(&h, "tcp_keepalive", Some(Kind::Tcp))?;
            let delay = on.then(|| std::time::Duration::from_secs(delay.unwrap_or(60)));
            let r = match &*s.state.borrow() {
                State::Conn(Conn::Tcp(c)) => c.set_keepalive(delay).map_err(|e| message(&e)),
                State::Closed => Err(closed("tcp_keepalive")),
                _ => Err(not_connected("tcp_keepalive", s.kind)),
            };
            sync_status(lua, r)
        })?,
    )?;

    asy.set(
        "tcp_connect",
        crate::park::create_async(lua, |lua, (h, Name(host), port): (LuaValue, Name, u16)| {
            // (Taken out of the userdata now: the future holds no Lua value.)
            let s = shared(&h, "tcp_connect", Some(Kind::Tcp));
            async move {
                let s = s?;
                let r = match socket_addr("tcp_connect", &host, port) {
                    Ok(addr) => {
                        connect(s, "tcp_connect", TcpStream::connect(addr), Conn::Tcp).await
                    }
                    Err(e) => Err(e),
                };
                status(&lua, r)
            }
        })?,
    )?;
    asy.set(
        "pipe_connect",
        crate::park::create_async(lua, |lua, (h, Name(name)): (LuaValue, Name)| {
            let s = shared(&h, "pipe_connect", Some(Kind::Pipe));
            async move {
                let r = connect(s?, "pipe_connect", Pipe::connect(name), Conn::Pipe).await;
                status(&lua, r)
            }
        })?,
    )?;
    asy.set(
        "listen",
        crate::park::create_async(lua, |lua, (h, _backlog): (LuaValue, Option<i64>)| {
            let s = shared(&h, "listen", None);
            async move {
                let s = s?;
                if s.is_closed() {
                    return status(&lua, Err(closed("listen")));
                }
                let accept = async {
                    let _turn = s.reading.acquire().await;
                    // Hold the listener itself (not the state) while waiting.
                    let listener = match &*s.state.borrow() {
                        State::TcpListener(l) => Ok(Ok(l.clone())),
                        State::PipeListener(l) => Ok(Err(l.clone())),
                        State::Closed => Err(canceled("listen")),
                        _ => Err(fail(
                            "listen",
                            "EINVAL",
                            libc::EINVAL,
                            &format!(
                                "the {} handle is not bound (call {}_bind first)",
                                s.kind.name(),
                                s.kind.name()
                            ),
                        )),
                    }?;
                    let conn = match listener {
                        Ok(tcp) => tcp.accept().await.map(|(c, _)| Conn::Tcp(c)),
                        Err(pipe) => pipe.accept().await.map(Conn::Pipe),
                    };
                    conn.map_err(|e| message(&e))
                };
                let r = match s.unless_closed(accept).await {
                    None => Err(canceled("listen")),
                    Some(Ok(conn)) => {
                        s.pending.borrow_mut().push_back(conn);
                        Ok(())
                    }
                    Some(Err(e)) => Err(e),
                };
                status(&lua, r)
            }
        })?,
    )?;
    asy.set(
        "read",
        crate::park::create_async(lua, |lua, h: LuaValue| {
            let s = shared(&h, "read", None);
            async move {
                let s = s?;
                let mut buf = vec![0u8; READ_SIZE];
                let r = match s.turn(&s.reading, "read").await {
                    Err(e) => Err(e),
                    Ok(_turn) => {
                        s.with_conn("read", |c, cx| {
                            c.io().poll_read(cx, &mut buf).map_err(io_message)
                        })
                        .await
                    }
                };
                match r {
                    Ok(0) => LuaValue::Nil.into_lua_multi(&lua),
                    Ok(n) => (LuaValue::Nil, lua.create_string(&buf[..n])?).into_lua_multi(&lua),
                    Err(e) => e.into_lua_multi(&lua),
                }
            }
        })?,
    )?;
    asy.set(
        "write",
        crate::park::create_async(lua, |lua, (h, Bytes(data)): (LuaValue, Bytes)| {
            let s = shared(&h, "write", None);
            async move {
                let s = s?;
                let r = match s.turn(&s.writing, "write").await {
                    Err(e) => Err(e),
                    Ok(_turn) => {
                        let mut off = 0;
                        // Resolves, as luv's callback is called, once the data
                        // has gone to the kernel.
                        s.with_conn("write", |c, cx| loop {
                            if off < data.len() {
                                match c.io().poll_write(cx, &data[off..]) {
                                    Poll::Ready(Ok(n)) => off += n,
                                    Poll::Ready(Err(e)) => return Poll::Ready(Err(io_message(e))),
                                    Poll::Pending => return Poll::Pending,
                                }
                            } else {
                                return c.io().poll_flush(cx).map_err(io_message);
                            }
                        })
                        .await
                    }
                };
                status(&lua, r)
            }
        })?,
    )?;
    asy.set(
        "shutdown",
        crate::park::create_async(lua, |lua, h: LuaValue| {
            let s = shared(&h, "shutdown", None);
            async move {
                let s = s?;
                let r = match s.turn(&s.writing, "shutdown").await {
                    Err(e) => Err(e),
                    Ok(_turn) => {
                        s.with_conn("shutdown", |c, cx| {
                            c.io().poll_close(cx).map_err(io_message)
                        })
                        .await
                    }
                };
                status(&lua, r)
            }
        })?,
    )?;
    asy.set(
        "close",
        crate::park::create_async(lua, |_, h: LuaValue| {
            let s = shared(&h, "close", None);
            async move {
                s?.close();
                Ok(())
            }
        })?,
    )?;
    asy.set(
        "udp_send",
        crate::park::create_async(
            lua,
            |lua, (h, Bytes(data), Name(host), port): (LuaValue, Bytes, Name, u16)| {
                let s = shared(&h, "udp_send", Some(Kind::Udp));
                async move {
                    let s = s?;
                    let r = match socket_addr("udp_send", &host, port)
                        .and_then(|addr| Ok((addr, udp_socket(&s, "udp_send", addr.ip())?)))
                    {
                        Ok((addr, sock)) => {
                            match s.unless_closed(sock.send_to(&data, addr)).await {
                                None => Err(canceled("udp_send")),
                                Some(r) => r.map(|_| ()).map_err(|e| message(&e)),
                            }
                        }
                        Err(e) => Err(e),
                    };
                    status(&lua, r)
                }
            },
        )?,
    )?;
    asy.set(
        "udp_recv_start",
        crate::park::create_async(lua, |lua, h: LuaValue| {
            let s = shared(&h, "udp_recv_start", Some(Kind::Udp));
            async move {
                let s = s?;
                let sock = match udp_socket(&s, "udp_recv_start", [0, 0, 0, 0].into()) {
                    Ok(sock) => sock,
                    Err(e) => return e.into_lua_multi(&lua),
                };
                let mut buf = vec![0u8; READ_SIZE];
                let recv = async {
                    let _turn = s.reading.acquire().await;
                    sock.recv_from(&mut buf).await
                };
                match s.unless_closed(recv).await {
                    None => canceled("udp_recv_start").into_lua_multi(&lua),
                    Some(Err(e)) => message(&e).into_lua_multi(&lua),
                    Some(Ok((n, from))) => (
                        LuaValue::Nil,
                        lua.create_string(&buf[..n])?,
                        addr_table(&lua, from)?,
                        lua.create_table()?,
                    )
                        .into_lua_multi(&lua),
                }
            }
        })?,
    )?;
    asy.set(
        "write2",
        lua.create_function(|_, _: LuaMultiValue| -> LuaResult<()> {
            Err(LuaError::runtime(
                "plenary_async.uv.write2: sending handles over a pipe is not supported on the runtime's handles; use write",
            ))
        })?,
    )?;

    core.set("uv_handle", asy)?;
    core.set("uv_handle_sync", sync)?;
    Ok(())
}
