//! [`ToSocketAddrs`]: what the socket functions take for an address.

use super::dns;
use crate::ffi::sys;
use crate::Error;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// An address for [`TcpStream::connect`](super::tcp::TcpStream::connect),
/// [`TcpListener::bind`](super::tcp::TcpListener::bind),
/// [`UdpSocket::bind`](super::udp::UdpSocket::bind) and
/// [`UdpSocket::send_to`](super::udp::UdpSocket::send_to): a
/// [`SocketAddr`], an `(IpAddr, port)` pair, a `"host:port"` string or a
/// `(host, port)` pair, or a list of addresses. A host name is looked up
/// with [`getaddrinfo`](dns::getaddrinfo) on libuv's thread pool, never by
/// a blocking call on the loop (as `std::net::ToSocketAddrs` would). The
/// trait is sealed: these are its types.
///
/// `connect` tries each address in turn and gives the last error if none
/// answers; `bind` is not async, so it takes addresses only (`"[::1]:0"`,
/// not `"localhost:0"`: a host name is `EINVAL`, naming it).
///
/// ```
/// use plenary_async as a;
/// use a::uv::tcp::{TcpListener, TcpStream};
///
/// a::block_on(async {
///     let l = TcpListener::bind("127.0.0.1:0")?;
///     let port = l.local_addr().port();
///     let _by_name = TcpStream::connect(("localhost", port)).await?;
///     let _by_string = TcpStream::connect(format!("127.0.0.1:{port}")).await?;
///     Ok::<_, a::Error>(())
/// })
/// .unwrap();
/// ```
pub trait ToSocketAddrs: sealed::Sealed {}

/// What an address argument stands for. (`pub` for the sealed trait's
/// method; this module is private, so nothing outside names it.)
#[doc(hidden)]
#[derive(Debug)]
pub enum Target {
    /// Addresses, nothing to look up.
    Addrs(Vec<SocketAddr>),
    /// A host name to look up, and the port.
    Lookup { host: String, port: u16 },
}

impl Target {
    /// The addresses, after a lookup if it is a host name.
    pub(crate) async fn resolve(self) -> Result<Vec<SocketAddr>, Error> {
        match self {
            Target::Addrs(addrs) => Ok(addrs),
            Target::Lookup { host, port } => {
                let found = dns::getaddrinfo(&host, Some(&port.to_string())).await?;
                Ok(found.into_iter().map(|ai| ai.addr).collect())
            }
        }
    }

    /// The addresses where no lookup may be made (a synchronous bind): a
    /// host name is `EINVAL` for `op`, naming it.
    pub(crate) fn literal(self, op: &'static str) -> Result<Vec<SocketAddr>, Error> {
        match self {
            Target::Addrs(addrs) => Ok(addrs),
            Target::Lookup { host, port } => Err(Error::uv(
                op,
                sys::UV_EINVAL,
                Some(format!(
                    "{host}:{port} (a host name: give an address, or look the name up with a::uv::dns::getaddrinfo first)"
                )),
            )),
        }
    }
}

/// `EINVAL` for an address string that is not `host:port`.
fn not_an_address(s: &str) -> Error {
    Error::uv(
        "getaddrinfo",
        sys::UV_EINVAL,
        Some(format!("{s} (expected host:port)")),
    )
}

/// A host (a name, an address, or an address in brackets) and a port.
fn host_port(host: &str, port: u16) -> Target {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<IpAddr>() {
        Ok(ip) => Target::Addrs(vec![SocketAddr::new(ip, port)]),
        Err(_) => Target::Lookup {
            host: bare.to_owned(),
            port,
        },
    }
}

fn parse(s: &str) -> Result<Target, Error> {
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Ok(Target::Addrs(vec![addr]));
    }
    let (host, port) = s.rsplit_once(':').ok_or_else(|| not_an_address(s))?;
    let port: u16 = port.parse().map_err(|_| not_an_address(s))?;
    if host.is_empty() {
        return Err(not_an_address(s));
    }
    Ok(host_port(host, port))
}

mod sealed {
    use super::Target;

    /// The conversion behind [`ToSocketAddrs`](super::ToSocketAddrs).
    pub trait Sealed {
        /// What the argument stands for (an error for a malformed string).
        #[doc(hidden)]
        fn to_target(&self) -> Result<Target, crate::Error>;
    }
}

macro_rules! addrs {
    ($($ty:ty => |$v:ident| $e:expr;)*) => {$(
        impl sealed::Sealed for $ty {
            fn to_target(&self) -> Result<Target, Error> {
                let $v = self;
                Ok(Target::Addrs($e))
            }
        }
        impl ToSocketAddrs for $ty {}
    )*};
}

addrs! {
    SocketAddr => |a| vec![*a];
    SocketAddrV4 => |a| vec![SocketAddr::V4(*a)];
    SocketAddrV6 => |a| vec![SocketAddr::V6(*a)];
    (IpAddr, u16) => |a| vec![SocketAddr::new(a.0, a.1)];
    (Ipv4Addr, u16) => |a| vec![SocketAddr::new(IpAddr::V4(a.0), a.1)];
    (Ipv6Addr, u16) => |a| vec![SocketAddr::new(IpAddr::V6(a.0), a.1)];
    [SocketAddr] => |a| a.to_vec();
    Vec<SocketAddr> => |a| a.clone();
}

impl sealed::Sealed for str {
    fn to_target(&self) -> Result<Target, Error> {
        parse(self)
    }
}
impl ToSocketAddrs for str {}

impl sealed::Sealed for String {
    fn to_target(&self) -> Result<Target, Error> {
        parse(self)
    }
}
impl ToSocketAddrs for String {}

impl sealed::Sealed for (&str, u16) {
    fn to_target(&self) -> Result<Target, Error> {
        Ok(host_port(self.0, self.1))
    }
}
impl ToSocketAddrs for (&str, u16) {}

impl sealed::Sealed for (String, u16) {
    fn to_target(&self) -> Result<Target, Error> {
        Ok(host_port(&self.0, self.1))
    }
}
impl ToSocketAddrs for (String, u16) {}

impl<T: ToSocketAddrs + ?Sized> sealed::Sealed for &T {
    fn to_target(&self) -> Result<Target, Error> {
        (**self).to_target()
    }
}
impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}

#[cfg(test)]
mod tests {
    use super::sealed::Sealed;
    use super::*;

    fn addrs(t: Target) -> Vec<SocketAddr> {
        match t {
            Target::Addrs(a) => a,
            Target::Lookup { host, port } => panic!("a lookup of {host}:{port}"),
        }
    }

    #[test]
    fn strings_of_addresses_need_no_lookup() {
        let v4: SocketAddr = "127.0.0.1:80".parse().unwrap();
        let v6: SocketAddr = "[::1]:80".parse().unwrap();
        assert_eq!(addrs("127.0.0.1:80".to_target().unwrap()), [v4]);
        assert_eq!(addrs("[::1]:80".to_target().unwrap()), [v6]);
        assert_eq!(addrs(("::1", 80).to_target().unwrap()), [v6]);
        assert_eq!(addrs(("[::1]", 80).to_target().unwrap()), [v6]);
    }

    #[test]
    fn host_names_are_looked_up() {
        match "localhost:8080".to_target().unwrap() {
            Target::Lookup { host, port } => assert_eq!((host.as_str(), port), ("localhost", 8080)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "the error's text comes from libuv (uv_err_name)")]
    fn malformed_strings_are_einval_naming_them() {
        for s in ["localhost", "host:", ":80", "host:99999", "host:x"] {
            let err = s.to_target().unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("getaddrinfo failed: EINVAL (invalid argument) for \"{s} (expected host:port)\""),
                "{s}"
            );
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "the error's text comes from libuv (uv_err_name)")]
    fn a_bind_takes_no_host_name() {
        let err = "localhost:0"
            .to_target()
            .unwrap()
            .literal("tcp_bind")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "tcp_bind failed: EINVAL (invalid argument) for \"localhost:0 (a host name: give an address, or look the name up with a::uv::dns::getaddrinfo first)\""
        );
    }
}
