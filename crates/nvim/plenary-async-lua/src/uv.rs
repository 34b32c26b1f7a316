//! `a.uv` for Lua: plenary's `a.uv.fs_*` names, arguments and `(err,
//! result)` returns, implemented by `plenary_async::uv::fs` (libuv requests
//! on Neovim's loop), not by luv. An error is returned as a string such as
//! `"ENOENT: no such file or directory: /path"`, as luv formats it.
//!
//! File descriptors are plain integers, as in luv: `fs_open` hands one out
//! and `fs_close` takes it back.

use crate::args::{Bytes, LuaPath, Name};
use mlua::prelude::*;
use plenary_async::uv::fs::{self, File, OpenOptions};
use plenary_async::Error;
use std::cell::RefCell;
use std::collections::VecDeque;
#[cfg(unix)]
use std::os::fd::{FromRawFd, IntoRawFd};
use std::rc::Rc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// luv's error string: `NAME: message: path`.
pub(crate) fn message(err: &Error) -> String {
    match (err, err.uv_reason()) {
        (Error::Uv { name, path, .. }, Some(reason)) => match path {
            Some(p) => format!("{name}: {reason}: {p}"),
            None => format!("{name}: {reason}"),
        },
        (other, _) => other.to_string(),
    }
}

/// `(nil, value)` or `(message)`.
fn reply<T: IntoLua>(lua: &Lua, result: Result<T, Error>) -> LuaResult<LuaMultiValue> {
    match result {
        Ok(v) => (LuaValue::Nil, v).into_lua_multi(lua),
        Err(e) => message(&e).into_lua_multi(lua),
    }
}

/// `(nil, convert(value))` or `(message)`: for results that become tables.
fn reply_with<T, V: IntoLua>(
    lua: &Lua,
    result: Result<T, Error>,
    convert: impl FnOnce(T) -> LuaResult<V>,
) -> LuaResult<LuaMultiValue> {
    match result {
        Ok(v) => (LuaValue::Nil, convert(v)?).into_lua_multi(lua),
        Err(e) => message(&e).into_lua_multi(lua),
    }
}

/// A borrowed descriptor: the File never closes it (Lua owns the fd).
fn borrowed(fd: i32) -> File {
    // SAFETY: the File only borrows `fd`; Lua code that passes a closed or
    // foreign fd gets EBADF from libuv. Lua code that closes the fd while a
    // request still runs is Lua's own business, as with luv.
    unsafe { File::borrow_raw(fd) }
}

fn bad_fd(fd: i64) -> LuaResult<i32> {
    i32::try_from(fd).ok().filter(|&f| f >= 0).ok_or_else(|| {
        LuaError::runtime(format!("plenary_async.uv: {fd} is not a file descriptor"))
    })
}

/// luv's flag strings ("r", "w+", "ax", …) or a number.
fn open_options(flags: &LuaValue, mode: u32) -> LuaResult<OpenOptions> {
    let mut o = OpenOptions::new();
    o.mode(mode);
    let text = match flags {
        LuaValue::String(s) if s.as_bytes().len() <= 3 => s.to_string_lossy(),
        LuaValue::String(s) => {
            return Err(LuaError::runtime(format!(
                "plenary_async.uv.fs_open: unknown flags (a string of {} bytes; expected r, r+, w, w+, wx, a, a+, …)",
                s.as_bytes().len()
            )))
        }
        LuaValue::Integer(n) => {
            let n = i32::try_from(*n).map_err(|_| {
                LuaError::runtime(format!(
                    "plenary_async.uv.fs_open: flags {n} are not open(2) flags"
                ))
            })?;
            // (Windows' C runtime has no O_ACCMODE; the three access
            // modes are 0, 1 and 2 everywhere.)
            let access = n & (libc::O_RDONLY | libc::O_WRONLY | libc::O_RDWR);
            o.read(access == libc::O_RDONLY || access == libc::O_RDWR)
                .write(access == libc::O_WRONLY || access == libc::O_RDWR)
                .append(n & libc::O_APPEND != 0)
                .truncate(n & libc::O_TRUNC != 0)
                .create(n & libc::O_CREAT != 0)
                .create_new(n & libc::O_CREAT != 0 && n & libc::O_EXCL != 0);
            return Ok(o);
        }
        other => {
            return Err(LuaError::runtime(format!(
                "plenary_async.uv.fs_open: flags must be a string like \"r\" or \"w+\", or a number, got {}",
                other.type_name()
            )))
        }
    };
    let plus = text.contains('+');
    let excl = text.contains('x');
    match text.chars().find(|c| matches!(c, 'r' | 'w' | 'a')) {
        Some('r') if text.chars().all(|c| "rs+".contains(c)) => {
            o.read(true).write(plus);
        }
        Some('w') if text.chars().all(|c| "wx+".contains(c)) => {
            o.write(true).read(plus).truncate(true).create(!excl).create_new(excl);
        }
        Some('a') if text.chars().all(|c| "ax+".contains(c)) => {
            o.append(true).read(plus).create(!excl).create_new(excl);
        }
        _ => {
            return Err(LuaError::runtime(format!(
                "plenary_async.uv.fs_open: unknown flags {text:?} (expected r, r+, w, w+, wx, a, a+, …)"
            )))
        }
    }
    Ok(o)
}

fn time_table(lua: &Lua, t: SystemTime) -> LuaResult<LuaTable> {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    let table = lua.create_table()?;
    table.set("sec", d.as_secs())?;
    table.set("nsec", d.subsec_nanos())?;
    Ok(table)
}

/// luv's stat table.
fn stat_table(lua: &Lua, m: &fs::Metadata) -> LuaResult<LuaTable> {
    let t = lua.create_table()?;
    t.set("dev", m.dev())?;
    t.set("mode", m.mode())?;
    t.set("nlink", m.nlink())?;
    t.set("uid", m.uid())?;
    t.set("gid", m.gid())?;
    t.set("rdev", m.rdev())?;
    t.set("ino", m.ino())?;
    t.set("size", m.len())?;
    t.set("blksize", m.blksize())?;
    t.set("blocks", m.blocks())?;
    t.set("atime", time_table(lua, m.accessed())?)?;
    t.set("mtime", time_table(lua, m.modified())?)?;
    t.set("ctime", time_table(lua, m.changed())?)?;
    t.set("type", kind_name(m.file_type()))?;
    Ok(t)
}

/// `fs_access`'s mode: luv takes a number (F_OK, or R_OK | W_OK | X_OK) or
/// a string of the letters r, w, x.
fn access_mode(mode: LuaValue) -> LuaResult<i32> {
    let bad = |what: String| {
        LuaError::runtime(format!(
            "plenary_async.uv.fs_access: mode must be a number from 0 to 7 or a string of r, w, x; got {what}"
        ))
    };
    Ok(match mode {
        LuaValue::Integer(n) if (0..=7).contains(&n) => n as i32,
        LuaValue::Number(n) if n.fract() == 0.0 && (0.0..=7.0).contains(&n) => n as i32,
        LuaValue::String(s) => {
            let mut m = fs::F_OK;
            for c in s.as_bytes().iter() {
                m |= match c.to_ascii_uppercase() {
                    b'R' => fs::R_OK,
                    b'W' => fs::W_OK,
                    b'X' => fs::X_OK,
                    _ => return Err(bad(format!("a string with {:?}", char::from(*c)))),
                };
            }
            m
        }
        LuaValue::Integer(n) => return Err(bad(n.to_string())),
        LuaValue::Number(n) => return Err(bad(n.to_string())),
        other => return Err(bad(format!("a {}", other.type_name()))),
    })
}

pub fn register(lua: &Lua, core: &LuaTable) -> LuaResult<()> {
    let uv = lua.create_table()?;
    uv.set(
        "fs_open",
        crate::park::create_async(
            lua,
            |lua, (LuaPath(path), flags, mode): (LuaPath, LuaValue, Option<u32>)| {
                // (Read before the future is made: it holds no Lua value.)
                let options = open_options(&flags, mode.unwrap_or(0o666));
                async move {
                    let o = options?;
                    reply(&lua, o.open(path).await.map(|f| f.into_raw_fd()))
                }
            },
        )?,
    )?;
    uv.set(
        "fs_close",
        crate::park::create_async(lua, |lua, fd: i64| async move {
            let fd = bad_fd(fd)?;
            // SAFETY: Lua hands the descriptor back to be closed.
            let file = unsafe { File::from_raw_fd(fd) };
            reply(&lua, file.close().await.map(|()| true))
        })?,
    )?;
    uv.set(
        "fs_read",
        crate::park::create_async(
            lua,
            |lua, (fd, size, offset): (i64, usize, Option<i64>)| async move {
                let file = borrowed(bad_fd(fd)?);
                let r = match offset {
                    Some(off) if off >= 0 => file.read_at(size, off as u64).await,
                    _ => file.read(size).await,
                };
                reply_with(&lua, r, |bytes| lua.create_string(&bytes))
            },
        )?,
    )?;
    uv.set(
        "fs_write",
        crate::park::create_async(
            lua,
            |lua, (fd, Bytes(bytes), offset): (i64, Bytes, Option<i64>)| async move {
                let file = borrowed(bad_fd(fd)?);
                let r = match offset {
                    Some(off) if off >= 0 => file.write_at(bytes, off as u64).await,
                    _ => file.write(bytes).await,
                };
                reply(&lua, r)
            },
        )?,
    )?;
    uv.set(
        "fs_fstat",
        crate::park::create_async(lua, |lua, fd: i64| async move {
            let file = borrowed(bad_fd(fd)?);
            reply_with(&lua, file.stat().await, |m| stat_table(&lua, &m))
        })?,
    )?;
    uv.set(
        "fs_fsync",
        crate::park::create_async(lua, |lua, fd: i64| async move {
            let file = borrowed(bad_fd(fd)?);
            reply(&lua, file.sync_all().await.map(|()| true))
        })?,
    )?;
    uv.set(
        "fs_ftruncate",
        crate::park::create_async(lua, |lua, (fd, len): (i64, u64)| async move {
            let file = borrowed(bad_fd(fd)?);
            reply(&lua, file.set_len(len).await.map(|()| true))
        })?,
    )?;
    for (name, lstat) in [("fs_stat", false), ("fs_lstat", true)] {
        uv.set(
            name,
            crate::park::create_async(lua, move |lua, LuaPath(path): LuaPath| async move {
                let r = if lstat {
                    fs::lstat(path).await
                } else {
                    fs::stat(path).await
                };
                reply_with(&lua, r, |m| stat_table(&lua, &m))
            })?,
        )?;
    }
    uv.set(
        "fs_unlink",
        crate::park::create_async(lua, |lua, LuaPath(path): LuaPath| async move {
            reply(&lua, fs::unlink(path).await.map(|()| true))
        })?,
    )?;
    uv.set(
        "fs_mkdir",
        crate::park::create_async(
            lua,
            |lua, (LuaPath(path), mode): (LuaPath, Option<u32>)| async move {
                reply(
                    &lua,
                    fs::mkdir(path, mode.unwrap_or(0o777)).await.map(|()| true),
                )
            },
        )?,
    )?;
    uv.set(
        "fs_rmdir",
        crate::park::create_async(lua, |lua, LuaPath(path): LuaPath| async move {
            reply(&lua, fs::rmdir(path).await.map(|()| true))
        })?,
    )?;
    uv.set(
        "fs_rename",
        crate::park::create_async(
            lua,
            |lua, (LuaPath(from), LuaPath(to)): (LuaPath, LuaPath)| async move {
                reply(&lua, fs::rename(from, to).await.map(|()| true))
            },
        )?,
    )?;
    uv.set(
        "fs_mkdtemp",
        crate::park::create_async(lua, |lua, LuaPath(template): LuaPath| async move {
            let r = fs::mkdtemp(template).await;
            reply(&lua, r.map(|p| p.to_string_lossy().into_owned()))
        })?,
    )?;
    for (name, real) in [("fs_realpath", true), ("fs_readlink", false)] {
        uv.set(
            name,
            crate::park::create_async(lua, move |lua, LuaPath(path): LuaPath| async move {
                let r = if real {
                    fs::realpath(path).await
                } else {
                    fs::readlink(path).await
                };
                reply(&lua, r.map(|p| p.to_string_lossy().into_owned()))
            })?,
        )?;
    }
    uv.set(
        "fs_access",
        crate::park::create_async(lua, |lua, (LuaPath(path), mode): (LuaPath, LuaValue)| {
            let mode = access_mode(mode);
            async move { reply(&lua, fs::access(path, mode?).await.map(|()| true)) }
        })?,
    )?;
    uv.set(
        "fs_copyfile",
        crate::park::create_async(
            lua,
            |lua, (LuaPath(from), LuaPath(to)): (LuaPath, LuaPath)| async move {
                let r = fs::copyfile(from, to, fs::CopyFlags::NONE).await;
                reply(&lua, r.map(|()| true))
            },
        )?,
    )?;
    uv.set(
        "fs_symlink",
        crate::park::create_async(
            lua,
            |lua, (LuaPath(target), LuaPath(link)): (LuaPath, LuaPath)| async move {
                reply(&lua, fs::symlink(target, link).await.map(|()| true))
            },
        )?,
    )?;
    uv.set(
        "fs_link",
        crate::park::create_async(
            lua,
            |lua, (LuaPath(from), LuaPath(to)): (LuaPath, LuaPath)| async move {
                reply(&lua, fs::link(from, to).await.map(|()| true))
            },
        )?,
    )?;
    uv.set(
        "fs_chmod",
        crate::park::create_async(
            lua,
            |lua, (LuaPath(path), mode): (LuaPath, u32)| async move {
                reply(&lua, fs::chmod(path, mode).await.map(|()| true))
            },
        )?,
    )?;
    uv.set(
        "fs_fdatasync",
        crate::park::create_async(lua, |lua, fd: i64| async move {
            let file = borrowed(bad_fd(fd)?);
            reply(&lua, file.sync_data().await.map(|()| true))
        })?,
    )?;
    uv.set(
        "fs_fchmod",
        crate::park::create_async(lua, |lua, (fd, mode): (i64, u32)| async move {
            let file = borrowed(bad_fd(fd)?);
            reply(&lua, file.chmod(mode).await.map(|()| true))
        })?,
    )?;
    uv.set(
        "fs_sendfile",
        crate::park::create_async(
            lua,
            |lua, (out_fd, in_fd, offset, len): (i64, i64, u64, usize)| async move {
                let (out, input) = (borrowed(bad_fd(out_fd)?), borrowed(bad_fd(in_fd)?));
                reply(&lua, fs::sendfile(&out, &input, offset, len).await)
            },
        )?,
    )?;
    /// luv's times: seconds since the epoch, finite, before or after it.
    fn seconds(fname: &str, which: &str, t: f64) -> LuaResult<SystemTime> {
        let time = Duration::try_from_secs_f64(t.abs()).ok().and_then(|d| {
            if t >= 0.0 {
                UNIX_EPOCH.checked_add(d)
            } else {
                UNIX_EPOCH.checked_sub(d)
            }
        });
        time.ok_or_else(|| {
            LuaError::runtime(format!(
                "plenary_async.uv.{fname}: {which} must be a finite number of seconds since the epoch, got {t}"
            ))
        })
    }
    uv.set(
        "fs_utime",
        crate::park::create_async(
            lua,
            |lua, (LuaPath(path), at, mt): (LuaPath, f64, f64)| async move {
                let (at, mt) = (
                    seconds("fs_utime", "atime", at)?,
                    seconds("fs_utime", "mtime", mt)?,
                );
                let r = fs::utime(path, at, mt).await;
                reply(&lua, r.map(|()| true))
            },
        )?,
    )?;
    uv.set(
        "fs_futime",
        crate::park::create_async(lua, |lua, (fd, at, mt): (i64, f64, f64)| async move {
            let (at, mt) = (
                seconds("fs_futime", "atime", at)?,
                seconds("fs_futime", "mtime", mt)?,
            );
            let file = borrowed(bad_fd(fd)?);
            reply(&lua, file.utime(at, mt).await.map(|()| true))
        })?,
    )?;
    uv.set(
        "fs_chown",
        crate::park::create_async(
            lua,
            |lua, (LuaPath(path), uid, gid): (LuaPath, u32, u32)| async move {
                reply(&lua, fs::chown(path, uid, gid).await.map(|()| true))
            },
        )?,
    )?;
    uv.set(
        "fs_fchown",
        crate::park::create_async(lua, |lua, (fd, uid, gid): (i64, u32, u32)| async move {
            let file = borrowed(bad_fd(fd)?);
            reply(&lua, file.chown(uid, gid).await.map(|()| true))
        })?,
    )?;
    uv.set(
        "fs_statfs",
        crate::park::create_async(lua, |lua, LuaPath(path): LuaPath| async move {
            match fs::statfs(path).await {
                Ok(s) => {
                    let t = lua.create_table()?;
                    t.set("type", s.fs_type)?;
                    t.set("bsize", s.block_size)?;
                    t.set("blocks", s.blocks)?;
                    t.set("bfree", s.blocks_free)?;
                    t.set("bavail", s.blocks_available)?;
                    t.set("files", s.files)?;
                    t.set("ffree", s.files_free)?;
                    (LuaValue::Nil, t).into_lua_multi(&lua)
                }
                Err(e) => message(&e).into_lua_multi(&lua),
            }
        })?,
    )?;
    uv.set(
        "fs_scandir",
        crate::park::create_async(lua, |lua, LuaPath(path): LuaPath| async move {
            match fs::scandir(path).await {
                Ok(entries) => {
                    let list = lua.create_table()?;
                    for e in entries {
                        list.push(entry_table(&lua, &e)?)?;
                    }
                    (LuaValue::Nil, list).into_lua_multi(&lua)
                }
                Err(e) => message(&e).into_lua_multi(&lua),
            }
        })?,
    )?;
    uv.set(
        "fs_opendir",
        crate::park::create_async(
            lua,
            |lua, (LuaPath(path), entries): (LuaPath, Option<i64>)| async move {
                let batch = match entries {
                    None => 1, // luv's default
                    Some(n) if n >= 1 => n as usize,
                    Some(n) => {
                        return Err(LuaError::runtime(format!(
                            "plenary_async.uv.fs_opendir: entries must be at least 1, got {n}"
                        )))
                    }
                };
                let shown = path.to_string_lossy().into_owned();
                reply(
                    &lua,
                    fs::opendir(path).await.map(|d| {
                        LuaDir(Rc::new(DirState {
                            dir: RefCell::new(Some(Rc::new(d))),
                            buffered: RefCell::new(VecDeque::new()),
                            batch,
                            path: shown,
                        }))
                    }),
                )
            },
        )?,
    )?;
    uv.set(
        "fs_readdir",
        crate::park::create_async(lua, |lua, DirArg(dir): DirArg| async move {
            if dir.buffered.borrow().is_empty() {
                let open = dir.dir.borrow().clone();
                let Some(open) = open else {
                    return format!("EBADF: bad file descriptor: {} (closed)", dir.path)
                        .into_lua_multi(&lua);
                };
                match open.read().await {
                    Ok(batch) => dir.buffered.borrow_mut().extend(batch),
                    Err(e) => return message(&e).into_lua_multi(&lua),
                }
            }
            let mut buffered = dir.buffered.borrow_mut();
            if buffered.is_empty() {
                return LuaValue::Nil.into_lua_multi(&lua); // the end, as luv says it
            }
            let list = lua.create_table()?;
            let n = dir.batch.min(buffered.len());
            for e in buffered.drain(..n) {
                list.push(entry_table(&lua, &e)?)?;
            }
            (LuaValue::Nil, list).into_lua_multi(&lua)
        })?,
    )?;
    uv.set(
        "fs_closedir",
        crate::park::create_async(lua, |lua, DirArg(dir): DirArg| async move {
            let open = dir.dir.borrow_mut().take();
            dir.buffered.borrow_mut().clear();
            match open {
                Some(_) => (LuaValue::Nil, true).into_lua_multi(&lua),
                None => format!("EBADF: bad file descriptor: {} (closed)", dir.path)
                    .into_lua_multi(&lua),
            }
        })?,
    )?;
    uv.set(
        "getaddrinfo",
        crate::park::create_async(
            lua,
            |lua, (Name(host), service): (Name, Option<Name>)| async move {
                let service = service.map(|Name(s)| s);
                // luv gives every (address, socket type) pair: so does this.
                match plenary_async::uv::dns::getaddrinfo_typed(&host, service.as_deref(), None)
                    .await
                {
                    Ok(found) => {
                        let list = lua.create_table()?;
                        for ai in found {
                            let entry = lua.create_table()?;
                            entry.set("addr", ai.addr.ip().to_string())?;
                            entry.set("port", ai.addr.port())?;
                            entry
                                .set("family", if ai.addr.is_ipv4() { "inet" } else { "inet6" })?;
                            entry.set(
                                "socktype",
                                match ai.socktype {
                                    plenary_async::uv::dns::SockType::Stream => "stream",
                                    plenary_async::uv::dns::SockType::Datagram => "dgram",
                                    plenary_async::uv::dns::SockType::Raw => "raw",
                                    _ => "other",
                                },
                            )?;
                            entry.set("protocol", ai.protocol)?;
                            list.push(entry)?;
                        }
                        (LuaValue::Nil, list).into_lua_multi(&lua)
                    }
                    Err(e) => message(&e).into_lua_multi(&lua),
                }
            },
        )?,
    )?;
    uv.set(
        "getnameinfo",
        crate::park::create_async(
            lua,
            |lua, (Name(ip), port): (Name, Option<u16>)| async move {
                let addr = match ip.parse::<std::net::IpAddr>() {
                    Ok(ip) => std::net::SocketAddr::new(ip, port.unwrap_or(0)),
                    Err(_) => {
                        return format!("EINVAL: invalid argument: {ip}").into_lua_multi(&lua);
                    }
                };
                match plenary_async::uv::dns::getnameinfo(addr).await {
                    Ok((host, service)) => (LuaValue::Nil, host, service).into_lua_multi(&lua),
                    Err(e) => message(&e).into_lua_multi(&lua),
                }
            },
        )?,
    )?;
    core.set("uv", uv)?;
    Ok(())
}

/// luv's directory entry: `{ name, type }`.
fn entry_table(lua: &Lua, e: &fs::DirEntry) -> LuaResult<LuaTable> {
    let entry = lua.create_table()?;
    entry.set("name", e.name.to_string_lossy().into_owned())?;
    entry.set("type", kind_name(e.file_type))?;
    Ok(entry)
}

/// A directory opened by `fs_opendir`, read in batches of `batch` entries.
struct DirState {
    dir: RefCell<Option<Rc<fs::Dir>>>,
    buffered: RefCell<VecDeque<fs::DirEntry>>,
    batch: usize,
    path: String,
}

/// The userdata Lua holds for a directory.
struct LuaDir(Rc<DirState>);

impl LuaUserData for LuaDir {}

/// A directory argument, taken out of its userdata when the call is made.
struct DirArg(Rc<DirState>);

impl FromLua for DirArg {
    fn from_lua(value: LuaValue, _: &Lua) -> LuaResult<Self> {
        match &value {
            LuaValue::UserData(ud) => ud.borrow::<LuaDir>().ok().map(|d| DirArg(d.0.clone())),
            _ => None,
        }
        .ok_or_else(|| LuaError::runtime("expected a directory from fs_opendir"))
    }
}

fn kind_name(kind: fs::FileType) -> &'static str {
    match kind {
        fs::FileType::File => "file",
        fs::FileType::Dir => "directory",
        fs::FileType::Symlink => "link",
        fs::FileType::Fifo => "fifo",
        fs::FileType::Socket => "socket",
        fs::FileType::CharDevice => "char",
        fs::FileType::BlockDevice => "block",
        fs::FileType::Unknown => "unknown",
    }
}
