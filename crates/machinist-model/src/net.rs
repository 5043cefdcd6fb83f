//! Patterns for network values (IP addresses, CIDR prefixes, subnet filters). In: nothing; out:
//! regular expressions that the model attaches to its string fields, so that both machinist's
//! validator and any editor reading the generated schemas reject `10.0.0.0/33` or `300.1.1.1`.
//!
//! They follow Go's `net/netip`, which Talos parses these fields with: IPv4 in dotted decimal
//! without leading zeros, prefix lengths 0–32 (IPv4) and 0–128 (IPv6) without leading zeros.
//! IPv6 is checked for its alphabet and group structure, not for every rule of RFC 4291 (a
//! regular expression that does so is unreadable in an editor's hover); `validate` still names
//! the field when one slips through, because Talos then rejects the config on the node.

/// One IPv4 address, unanchored (used to build the patterns below).
macro_rules! ipv4 {
    () => {
        r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}"
    };
}

/// One IPv6 address, unanchored: two to seven colon-terminated groups of up to four hex digits,
/// then a last group or an embedded IPv4 address.
macro_rules! ipv6 {
    () => {
        concat!(r"([0-9a-fA-F]{0,4}:){2,7}([0-9a-fA-F]{0,4}|", ipv4!(), ")")
    };
}

macro_rules! bits4 {
    () => {
        r"(3[0-2]|[12]?[0-9])"
    };
}

macro_rules! bits6 {
    () => {
        r"(12[0-8]|1[01][0-9]|[1-9]?[0-9])"
    };
}

/// An address or a prefix, unanchored.
macro_rules! ip_or_cidr {
    () => {
        concat!(
            ipv4!(),
            "(/",
            bits4!(),
            ")?|",
            ipv6!(),
            "(/",
            bits6!(),
            ")?"
        )
    };
}

/// An IPv4 or IPv6 address, such as `192.168.1.10` or `fd00::1`.
pub const IP: &str = concat!("^(", ipv4!(), "|", ipv6!(), ")$");

/// An address, or nothing (a route's gateway or source, empty for none).
pub const OPTIONAL_IP: &str = concat!("^(|", ipv4!(), "|", ipv6!(), ")$");

/// A CIDR prefix, such as `10.244.0.0/16` or `fd00::/64`.
pub const CIDR: &str = concat!(
    "^(",
    ipv4!(),
    "/",
    bits4!(),
    "|",
    ipv6!(),
    "/",
    bits6!(),
    ")$"
);

/// An address with or without a prefix length (`192.168.1.11/24` or `192.168.1.11`).
pub const IP_OR_CIDR: &str = concat!("^(", ip_or_cidr!(), ")$");

/// A route destination: a prefix or an address, or nothing for the default route.
pub const ROUTE_NETWORK: &str = concat!("^(|", ip_or_cidr!(), ")$");

/// A subnet filter entry: an address or prefix, `!` in front to exclude it
/// (`10.0.0.0/8`, `!10.1.0.0/16`).
pub const SUBNET_FILTER: &str = concat!("^!?(", ip_or_cidr!(), ")$");

/// What a value that fails one of these patterns should look like, for error messages; `None`
/// when the pattern is not one of them.
pub fn describe(pattern: &str) -> Option<&'static str> {
    Some(match pattern {
        p if p == IP || p == OPTIONAL_IP => {
            "is not a valid IP address such as `192.168.1.10` or `fd00::1`"
        }
        p if p == CIDR => "is not a valid CIDR prefix such as `10.0.0.0/8`",
        p if p == IP_OR_CIDR || p == ROUTE_NETWORK => {
            "is not a valid address or CIDR prefix such as `192.168.1.11/24`"
        }
        p if p == SUBNET_FILTER => {
            "is not a valid subnet filter such as `10.0.0.0/8` or `!10.1.0.0/16`"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;
    use std::net::IpAddr;

    fn re(p: &str) -> Regex {
        Regex::new(p).unwrap()
    }

    /// Go's netip.ParsePrefix, for the cases below: address, `/`, decimal bits without a leading
    /// zero, within the family's length.
    fn is_prefix(s: &str) -> bool {
        let Some((ip, bits)) = s.split_once('/') else {
            return false;
        };
        let Ok(ip) = ip.parse::<IpAddr>() else {
            return false;
        };
        if bits.is_empty() || (bits.len() > 1 && bits.starts_with('0')) {
            return false;
        }
        let Ok(bits) = bits.parse::<u8>() else {
            return false;
        };
        bits <= if ip.is_ipv4() { 32 } else { 128 }
    }

    const SAMPLES: &[&str] = &[
        "10.0.0.0/8",
        "10.0.0.0/32",
        "10.0.0.0/33",
        "10.0.0.0/0",
        "10.0.0.0/08",
        "10.0.0.0/",
        "10.0.0.0",
        "256.0.0.0/8",
        "010.0.0.0/8",
        "1.2.3/24",
        "1.2.3.4.5/24",
        "fd00::/8",
        "fd00::/128",
        "fd00::/129",
        "::/0",
        "::1",
        "2001:db8:0:0:0:0:0:1/64",
        "2001:db8::ffff:192.168.1.1/120",
        "fe80::1%eth0/64",
        "g::/8",
        "default",
        "",
        "10.0.0.0/8 ",
        " 10.0.0.0/8",
    ];

    #[test]
    fn cidr_agrees_with_a_prefix_parser() {
        let cidr = re(CIDR);
        for s in SAMPLES {
            assert_eq!(cidr.is_match(s), is_prefix(s), "{s:?}");
        }
    }

    #[test]
    fn ip_agrees_with_an_address_parser() {
        let ip = re(IP);
        for s in SAMPLES
            .iter()
            .chain(&["192.168.1.10", "1.1.1.1", "300.1.1.1", "fd00::1"])
        {
            assert_eq!(ip.is_match(s), s.parse::<IpAddr>().is_ok(), "{s:?}");
        }
    }

    #[test]
    fn address_and_filter_forms() {
        let either = re(IP_OR_CIDR);
        let filter = re(SUBNET_FILTER);
        for s in SAMPLES {
            let ok = is_prefix(s) || s.parse::<IpAddr>().is_ok();
            assert_eq!(either.is_match(s), ok, "{s:?}");
            assert_eq!(filter.is_match(s), ok, "{s:?}");
            assert_eq!(filter.is_match(&format!("!{s}")), ok, "!{s:?}");
        }
        assert!(!filter.is_match("!!10.0.0.0/8"));
        assert!(re(ROUTE_NETWORK).is_match("") && re(OPTIONAL_IP).is_match(""));
        assert!(!re(ROUTE_NETWORK).is_match("10.0.0.0/33"));
        assert!(!re(OPTIONAL_IP).is_match("10.0.0.1/24"));
        assert!(!either.is_match("!10.0.0.0/8"));
    }

    #[test]
    fn every_pattern_has_a_description() {
        for p in [
            IP,
            OPTIONAL_IP,
            CIDR,
            IP_OR_CIDR,
            ROUTE_NETWORK,
            SUBNET_FILTER,
        ] {
            assert!(describe(p).is_some());
        }
        assert_eq!(describe("^x$"), None);
    }
}
