//! IP address and CIDR prefix arithmetic. In: addresses (`IpAddr`), prefixes (`IpNet`) and
//! numbers. Out: addresses, prefixes, sizes and yes/no answers, or an [`IpMathError`] that names
//! the value that did not work. IPv4 and IPv6 share one code path: every address is turned into a
//! `u128` so that a /0 IPv6 prefix is as easy as a /24 IPv4 one.
//!
//! The semantics of [`host`], [`subnet`], [`subnets`] and [`netmask`] follow Terraform's
//! `cidrhost`, `cidrsubnet`, `cidrsubnets` and `cidrnetmask`: host bits set in a prefix are
//! ignored, negative host numbers count back from the end of the prefix, and IPv4 octets written
//! with leading zeros (`010.0.0.1`) are read as decimal.
//!
//! This module has no template engine in it, so lint rules and other Rust code call it directly.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// Everything that can go wrong in IP arithmetic. Messages are lower case, name the offending
/// value and, where one exists, say what would have worked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IpMathError {
    /// The text is not an IPv4 or IPv6 address.
    #[error("{text:?} is not an IP address{}", hint(.reason))]
    NotAnAddress {
        /// The text as given.
        text: String,
        /// Why it was rejected, or empty.
        reason: String,
    },
    /// The text is not `address/length`.
    #[error("{text:?} is not a CIDR prefix{}", hint(.reason))]
    NotAPrefix {
        /// The text as given.
        text: String,
        /// Why it was rejected, or empty.
        reason: String,
    },
    /// A host number outside the prefix.
    #[error(
        "host number {number} does not fit in the {bits} host bits of {prefix} \
         (valid host numbers are {} to {})",
        min_signed(*.bits),
        max_unsigned(*.bits)
    )]
    HostDoesNotFit {
        /// The host number asked for.
        number: i128,
        /// Host bits of the prefix.
        bits: u8,
        /// The prefix, host bits cleared.
        prefix: IpNet,
    },
    /// A negative new-bits count.
    #[error("newbits must be a whole number of at least {min}, got {newbits}")]
    BadNewBits {
        /// The count asked for.
        newbits: i128,
        /// The smallest count accepted.
        min: u8,
    },
    /// Extending the prefix would make it longer than the address.
    #[error(
        "cannot extend {prefix} by {newbits} bits: /{} is longer than the {} bits of an {} address",
        u128::from(.prefix.prefix_len()) + u128::from(*.newbits),
        .prefix.max_prefix_len(),
        family(.prefix)
    )]
    PrefixTooLong {
        /// The prefix being divided.
        prefix: IpNet,
        /// The new bits asked for.
        newbits: u32,
    },
    /// A subnet number outside the range the new bits allow.
    #[error(
        "subnet number {number} does not fit in {newbits} new bits of {prefix} \
         (valid subnet numbers are 0 to {})",
        max_unsigned((*.newbits).min(128) as u8)
    )]
    SubnetDoesNotFit {
        /// The subnet number asked for.
        number: i128,
        /// The new bits asked for.
        newbits: u32,
        /// The prefix being divided.
        prefix: IpNet,
    },
    /// `cidrsubnets` ran out of room in the base prefix.
    #[error(
        "not enough room in {prefix} for a /{len} subnet after {}",
        .after.map_or_else(|| "the start".to_string(), |n| n.to_string())
    )]
    NoRoom {
        /// The prefix being divided.
        prefix: IpNet,
        /// Length of the subnet that did not fit.
        len: u8,
        /// The last subnet that was allocated.
        after: Option<IpNet>,
    },
    /// An IPv4-only operation was given an IPv6 prefix.
    #[error("{prefix} is an IPv6 prefix; {what}")]
    Ipv4Only {
        /// The IPv6 prefix.
        prefix: IpNet,
        /// What is missing in IPv6 and what to use instead.
        what: &'static str,
    },
    /// The number of addresses does not fit in 128 bits.
    #[error("{prefix} holds 2^128 addresses, more than the largest supported integer (2^128 - 1)")]
    SizeTooLarge {
        /// The prefix.
        prefix: IpNet,
    },
    /// Address arithmetic left the address space.
    #[error("{addr} + {delta} is outside the {} address space", if .addr.is_ipv4() { "IPv4" } else { "IPv6" })]
    AddOverflow {
        /// The starting address.
        addr: IpAddr,
        /// The number added.
        delta: i128,
    },
    /// Address arithmetic on `address/length` left the subnet.
    #[error("{addr}/{len} + {delta} = {result} is outside the subnet {network}")]
    AddLeavesSubnet {
        /// The starting address.
        addr: IpAddr,
        /// The prefix length it carried.
        len: u8,
        /// The number added.
        delta: i128,
        /// The address that was computed.
        result: IpAddr,
        /// The subnet it left.
        network: IpNet,
    },
}

fn hint(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!(" ({reason})")
    }
}

fn family(net: &IpNet) -> &'static str {
    match net {
        IpNet::V4(_) => "IPv4",
        IpNet::V6(_) => "IPv6",
    }
}

fn min_signed(bits: u8) -> String {
    if bits >= 127 {
        i128::MIN.to_string()
    } else {
        format!("-{}", 1u128 << bits)
    }
}

fn max_unsigned(bits: u8) -> String {
    mask_bits(u32::from(bits)).to_string()
}

/// `2^bits - 1`, saturating at `u128::MAX` for 128 bits.
fn mask_bits(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

type Result<T> = std::result::Result<T, IpMathError>;

/// An address as it appears in text: either a bare address or `address/length` (an interface
/// address such as `192.168.1.11/24`, whose host bits are kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddrSpec {
    /// The address.
    pub addr: IpAddr,
    /// The prefix length, when the text had one.
    pub len: Option<u8>,
}

impl fmt::Display for AddrSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.len {
            Some(len) => write!(f, "{}/{len}", self.addr),
            None => write!(f, "{}", self.addr),
        }
    }
}

/// Parses a bare IPv4 or IPv6 address. IPv4 octets may carry leading zeros and are then read
/// as decimal (`010.001.0.1` is `10.1.0.1`), as in Terraform.
pub fn parse_addr(text: &str) -> Result<IpAddr> {
    let fail = |reason: &str| IpMathError::NotAnAddress {
        text: text.to_string(),
        reason: reason.to_string(),
    };
    if text.contains('/') {
        return Err(fail(
            "it has a /length; use ipaddr() to take the address part",
        ));
    }
    if text.contains(':') {
        return text.parse::<Ipv6Addr>().map(IpAddr::V6).map_err(|_| {
            if text.contains('%') {
                fail("zone indexes such as %eth0 are not supported")
            } else {
                fail("")
            }
        });
    }
    parse_v4(text)
        .map(IpAddr::V4)
        .map_err(|reason| fail(&reason))
}

fn parse_v4(text: &str) -> std::result::Result<Ipv4Addr, String> {
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() != 4 {
        return Err(String::new());
    }
    let mut octets = [0u8; 4];
    for (slot, part) in octets.iter_mut().zip(&parts) {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(String::new());
        }
        let digits = part.trim_start_matches('0');
        let value: u32 = if digits.is_empty() {
            0
        } else if digits.len() > 3 {
            return Err(format!("octet {part} is more than 255"));
        } else {
            digits.parse().map_err(|_| String::new())?
        };
        *slot = u8::try_from(value).map_err(|_| format!("octet {part} is more than 255"))?;
    }
    Ok(Ipv4Addr::from(octets))
}

/// Parses `address/length`. The address keeps any host bits it was written with; call
/// [`IpNet::trunc`] (or [`network`]) to clear them.
pub fn parse_prefix(text: &str) -> Result<IpNet> {
    let fail = |reason: String| IpMathError::NotAPrefix {
        text: text.to_string(),
        reason,
    };
    let Some((addr_text, len_text)) = text.split_once('/') else {
        let reason = match parse_addr(text) {
            Ok(addr) => format!(
                "the /length is missing, e.g. {addr}/{}",
                if addr.is_ipv4() { 32 } else { 128 }
            ),
            Err(_) => "expected address/length such as 192.168.1.0/24".to_string(),
        };
        return Err(fail(reason));
    };
    let addr =
        parse_addr(addr_text).map_err(|_| fail(format!("{addr_text:?} is not an IP address")))?;
    let max: u8 = if addr.is_ipv4() { 32 } else { 128 };
    if len_text.is_empty() || !len_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(fail(format!(
            "the length {len_text:?} is not a whole number"
        )));
    }
    let len = len_text
        .parse::<u32>()
        .ok()
        .filter(|len| *len <= u32::from(max))
        .ok_or_else(|| {
            fail(format!(
                "the length {len_text} is more than {max}, the bits of an {} address",
                if max == 32 { "IPv4" } else { "IPv6" }
            ))
        })?;
    Ok(make_net(addr, len as u8))
}

/// Parses either a bare address or `address/length`.
pub fn parse_addr_spec(text: &str) -> Result<AddrSpec> {
    if text.contains('/') {
        let net = parse_prefix(text)?;
        Ok(AddrSpec {
            addr: net.addr(),
            len: Some(net.prefix_len()),
        })
    } else {
        Ok(AddrSpec {
            addr: parse_addr(text)?,
            len: None,
        })
    }
}

/// Parses a bare address as a single-address prefix (/32 or /128) or `address/length` as a
/// prefix; used where either is accepted, such as the second argument of [`contains`].
pub fn parse_addr_or_prefix(text: &str) -> Result<IpNet> {
    let spec = parse_addr_spec(text)?;
    let len = spec
        .len
        .unwrap_or(if spec.addr.is_ipv4() { 32 } else { 128 });
    Ok(make_net(spec.addr, len))
}

fn make_net(addr: IpAddr, len: u8) -> IpNet {
    match addr {
        IpAddr::V4(a) => IpNet::V4(Ipv4Net::new(a, len).expect("length checked against 32")),
        IpAddr::V6(a) => IpNet::V6(Ipv6Net::new(a, len).expect("length checked against 128")),
    }
}

fn to_u128(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

/// Builds an address of the same family as `like` from a number known to fit.
fn from_u128(like: IpAddr, value: u128) -> IpAddr {
    match like {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(value as u32)),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(value)),
    }
}

fn host_bits(net: &IpNet) -> u8 {
    net.max_prefix_len() - net.prefix_len()
}

fn base(net: &IpNet) -> u128 {
    to_u128(net.network())
}

/// The `number`-th address of `net` (host bits of `net` ignored). Negative numbers count back
/// from the end: `-1` is the last address. Terraform's `cidrhost`.
pub fn host(net: &IpNet, number: i128) -> Result<IpAddr> {
    let net = net.trunc();
    let bits = host_bits(&net);
    let max = mask_bits(u32::from(bits));
    let offset = if number >= 0 {
        Some(number as u128).filter(|n| *n <= max)
    } else {
        // -1 is the last address, -(2^bits) the first.
        let back = (-(number + 1)) as u128;
        (back <= max).then(|| max - back)
    };
    let offset = offset.ok_or(IpMathError::HostDoesNotFit {
        number,
        bits,
        prefix: net,
    })?;
    Ok(from_u128(net.addr(), base(&net) + offset))
}

/// Like [`host`], with the prefix length of `net` attached (`192.168.1.10/24`).
pub fn host_prefix(net: &IpNet, number: i128) -> Result<IpNet> {
    let addr = host(net, number)?;
    Ok(make_net(addr, net.prefix_len()))
}

/// Subnet number `number` of `net` extended by `newbits` bits. Terraform's `cidrsubnet`.
pub fn subnet(net: &IpNet, newbits: i128, number: i128) -> Result<IpNet> {
    let net = net.trunc();
    let newbits = checked_newbits(&net, newbits, 0)?;
    let max = mask_bits(newbits);
    if number < 0 || number as u128 > max {
        return Err(IpMathError::SubnetDoesNotFit {
            number,
            newbits,
            prefix: net,
        });
    }
    let new_len = net.prefix_len() + newbits as u8;
    let shift = u32::from(net.max_prefix_len() - new_len);
    let offset = if shift >= 128 {
        0
    } else {
        (number as u128) << shift
    };
    Ok(make_net(
        from_u128(net.addr(), base(&net) + offset),
        new_len,
    ))
}

fn checked_newbits(net: &IpNet, newbits: i128, min: u8) -> Result<u32> {
    if newbits < i128::from(min) {
        return Err(IpMathError::BadNewBits { newbits, min });
    }
    let room = i128::from(host_bits(net));
    if newbits > room {
        return Err(IpMathError::PrefixTooLong {
            prefix: *net,
            newbits: u32::try_from(newbits).unwrap_or(u32::MAX),
        });
    }
    Ok(newbits as u32)
}

/// Consecutive subnets of `net`, one per entry of `newbits`, each placed at the first address
/// after the previous one that is aligned to its own size. Terraform's `cidrsubnets`.
pub fn subnets(net: &IpNet, newbits: &[i128]) -> Result<Vec<IpNet>> {
    let net = net.trunc();
    let bits = host_bits(&net);
    let last_offset = mask_bits(u32::from(bits));
    let mut out: Vec<IpNet> = Vec::with_capacity(newbits.len());
    // Offset of the first free address inside `net`; None once the prefix is full.
    let mut cursor: Option<u128> = Some(0);
    for &n in newbits {
        let n = checked_newbits(&net, n, 1)?;
        let len = net.prefix_len() + n as u8;
        let sub_bits = u32::from(bits) - n;
        let size_minus_one = mask_bits(sub_bits);
        let start = cursor.and_then(|c| {
            // Round up to a multiple of the subnet size.
            let aligned = c.checked_add(size_minus_one)? & !size_minus_one;
            let end = aligned.checked_add(size_minus_one)?;
            (end <= last_offset).then_some(aligned)
        });
        let Some(start) = start else {
            return Err(IpMathError::NoRoom {
                prefix: net,
                len,
                after: out.last().copied(),
            });
        };
        let end = start + size_minus_one;
        cursor = end.checked_add(1).filter(|c| *c <= last_offset);
        out.push(make_net(from_u128(net.addr(), base(&net) + start), len));
    }
    Ok(out)
}

/// The dotted netmask of an IPv4 prefix (`255.255.255.0` for a /24). IPv6 has no netmask.
pub fn netmask(net: &IpNet) -> Result<Ipv4Addr> {
    match net {
        IpNet::V4(v4) => Ok(v4.netmask()),
        IpNet::V6(_) => Err(IpMathError::Ipv4Only {
            prefix: net.trunc(),
            what: "netmasks exist only for IPv4 (use cidrprefixlen for the length)",
        }),
    }
}

/// The prefix with its host bits cleared (`192.168.1.77/24` → `192.168.1.0/24`).
pub fn network(net: &IpNet) -> IpNet {
    net.trunc()
}

/// The prefix length.
pub fn prefix_len(net: &IpNet) -> u8 {
    net.prefix_len()
}

/// The number of addresses in the prefix. Fails only for an IPv6 /0, whose 2^128 addresses do
/// not fit in a `u128`.
pub fn size(net: &IpNet) -> Result<u128> {
    let bits = host_bits(net);
    if bits >= 128 {
        return Err(IpMathError::SizeTooLarge {
            prefix: net.trunc(),
        });
    }
    Ok(1u128 << bits)
}

/// The IPv4 broadcast address (last address of the prefix). IPv6 has no broadcast.
pub fn broadcast(net: &IpNet) -> Result<IpAddr> {
    match net {
        IpNet::V4(v4) => Ok(IpAddr::V4(v4.broadcast())),
        IpNet::V6(_) => Err(IpMathError::Ipv4Only {
            prefix: net.trunc(),
            what: "IPv6 has no broadcast address (use cidrhost(prefix, -1) for the last address)",
        }),
    }
}

/// The first address a host can use. IPv4: network + 1, except /31 (both addresses usable,
/// RFC 3021) and /32. IPv6: network + 1 (the all-zeros address is the subnet-router anycast),
/// except /127 (RFC 6164) and /128.
pub fn first_usable(net: &IpNet) -> IpAddr {
    let net = net.trunc();
    let offset = if host_bits(&net) <= 1 { 0 } else { 1 };
    from_u128(net.addr(), base(&net) + offset)
}

/// The last address a host can use. IPv4: broadcast - 1, except /31 and /32. IPv6: the last
/// address of the prefix (IPv6 has no broadcast).
pub fn last_usable(net: &IpNet) -> IpAddr {
    let net = net.trunc();
    let bits = host_bits(&net);
    let last = base(&net) + mask_bits(u32::from(bits));
    let offset = if net.addr().is_ipv4() && bits > 1 {
        1
    } else {
        0
    };
    from_u128(net.addr(), last - offset)
}

/// Whether `inner` (an address as a /32 or /128, or a prefix) lies wholly inside `outer`. Host
/// bits of both are ignored. Different address families never contain each other.
pub fn contains(outer: &IpNet, inner: &IpNet) -> bool {
    outer.trunc().contains(&inner.trunc())
}

/// Whether two prefixes share at least one address. Different families never overlap.
pub fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    contains(a, b) || contains(b, a)
}

/// `addr + delta`; fails when the result leaves the address space.
pub fn add(addr: IpAddr, delta: i128) -> Result<IpAddr> {
    let max = if addr.is_ipv4() {
        u128::from(u32::MAX)
    } else {
        u128::MAX
    };
    let value = to_u128(addr);
    let result = if delta >= 0 {
        value.checked_add(delta as u128)
    } else {
        value.checked_sub(delta.unsigned_abs())
    };
    let result = result
        .filter(|r| *r <= max)
        .ok_or(IpMathError::AddOverflow { addr, delta })?;
    Ok(from_u128(addr, result))
}

/// [`add`] on an address that may carry a prefix length: the length is kept, and the result
/// must stay inside that subnet.
pub fn add_spec(spec: AddrSpec, delta: i128) -> Result<AddrSpec> {
    let result = add(spec.addr, delta)?;
    if let Some(len) = spec.len {
        let network = make_net(spec.addr, len).trunc();
        if !network.contains(&result) {
            return Err(IpMathError::AddLeavesSubnet {
                addr: spec.addr,
                len,
                delta,
                result,
                network,
            });
        }
    }
    Ok(AddrSpec {
        addr: result,
        len: spec.len,
    })
}

/// 4 for IPv4, 6 for IPv6.
pub fn version(addr: IpAddr) -> u8 {
    if addr.is_ipv4() { 4 } else { 6 }
}
