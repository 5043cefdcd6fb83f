//! The typed IP math API: Terraform's documented examples, IPv4 and IPv6 boundaries (/0, /31,
//! /32, /127, /128), negative host numbers, and the exact errors for numbers that do not fit.

use machinist_functions::ipmath::{self, IpMathError};

fn net(s: &str) -> ipnet::IpNet {
    ipmath::parse_prefix(s).unwrap()
}

fn host(p: &str, n: i128) -> String {
    ipmath::host(&net(p), n).map_or_else(|e| format!("error: {e}"), |a| a.to_string())
}

fn subnet(p: &str, bits: i128, n: i128) -> String {
    ipmath::subnet(&net(p), bits, n).map_or_else(|e| format!("error: {e}"), |a| a.to_string())
}

fn subnets(p: &str, bits: &[i128]) -> Result<Vec<String>, String> {
    ipmath::subnets(&net(p), bits)
        .map(|v| v.iter().map(ToString::to_string).collect())
        .map_err(|e| e.to_string())
}

#[test]
fn cidrhost_ipv4() {
    assert_eq!(host("192.168.1.0/24", 10), "192.168.1.10");
    assert_eq!(
        host("192.168.1.77/24", 10),
        "192.168.1.10",
        "host bits of the input are ignored"
    );
    assert_eq!(host("10.0.0.0/8", -2), "10.255.255.254");
    assert_eq!(host("192.168.1.0/24", 255), "192.168.1.255");
    assert_eq!(host("192.168.1.0/24", -256), "192.168.1.0");
    assert_eq!(host("192.168.1.0/24", -1), "192.168.1.255");
    assert_eq!(host("10.1.2.3/32", 0), "10.1.2.3");
    assert_eq!(host("10.1.2.3/32", -1), "10.1.2.3");
    assert_eq!(host("0.0.0.0/0", -1), "255.255.255.255");
    assert_eq!(host("0.0.0.0/0", 4_294_967_295), "255.255.255.255");
    assert_eq!(
        host("010.000.001.000/24", 5),
        "10.0.1.5",
        "leading zeros are decimal"
    );
}

#[test]
fn cidrhost_numbers_that_do_not_fit() {
    assert_eq!(
        host("192.168.1.0/24", 300),
        "error: host number 300 does not fit in the 8 host bits of 192.168.1.0/24 (valid host numbers are -256 to 255)"
    );
    assert_eq!(
        host("192.168.1.0/24", 256),
        "error: host number 256 does not fit in the 8 host bits of 192.168.1.0/24 (valid host numbers are -256 to 255)"
    );
    assert_eq!(
        host("192.168.1.0/24", -257),
        "error: host number -257 does not fit in the 8 host bits of 192.168.1.0/24 (valid host numbers are -256 to 255)"
    );
    assert_eq!(
        host("10.1.2.3/32", 1),
        "error: host number 1 does not fit in the 0 host bits of 10.1.2.3/32 (valid host numbers are -1 to 0)"
    );
    assert_eq!(
        host("0.0.0.0/0", 4_294_967_296),
        "error: host number 4294967296 does not fit in the 32 host bits of 0.0.0.0/0 (valid host numbers are -4294967296 to 4294967295)"
    );
    assert_eq!(
        host("fd00::1/128", 1),
        "error: host number 1 does not fit in the 0 host bits of fd00::1/128 (valid host numbers are -1 to 0)"
    );
    assert!(matches!(
        ipmath::host(&net("fd00::/120"), 256),
        Err(IpMathError::HostDoesNotFit {
            number: 256,
            bits: 8,
            ..
        })
    ));
}

#[test]
fn cidrhost_ipv6() {
    assert_eq!(host("fd00::/64", 5), "fd00::5");
    assert_eq!(host("fd00::/64", -1), "fd00::ffff:ffff:ffff:ffff");
    assert_eq!(
        host("fd00:fd12:3456:7890:00a2::/72", 34),
        "fd00:fd12:3456:7890::22"
    );
    assert_eq!(host("::/0", -1), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    assert_eq!(
        host("::/0", i128::MAX),
        "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
    );
    assert_eq!(host("::/0", i128::MIN), "8000::");
    assert_eq!(host("fd00::1/128", 0), "fd00::1");
    assert_eq!(host("fd00::1/128", -1), "fd00::1");
    assert_eq!(
        ipmath::host_prefix(&net("fd00::/64"), 10)
            .unwrap()
            .to_string(),
        "fd00::a/64"
    );
    assert_eq!(
        ipmath::host_prefix(&net("192.168.1.0/24"), 10)
            .unwrap()
            .to_string(),
        "192.168.1.10/24"
    );
}

#[test]
fn cidrsubnet_terraform_examples() {
    assert_eq!(subnet("10.0.0.0/8", 8, 2), "10.2.0.0/16");
    assert_eq!(subnet("172.16.0.0/12", 4, 2), "172.18.0.0/16");
    assert_eq!(subnet("10.1.2.0/24", 4, 15), "10.1.2.240/28");
    assert_eq!(
        subnet("fd00:fd12:3456:7890::/56", 16, 162),
        "fd00:fd12:3456:7800:a200::/72"
    );
    assert_eq!(subnet("10.0.0.0/8", 0, 0), "10.0.0.0/8");
    assert_eq!(subnet("192.168.0.0/24", 8, 255), "192.168.0.255/32");
    assert_eq!(subnet("::/0", 64, 1), "0:0:0:1::/64");
    assert_eq!(
        subnet("::/0", 128, i128::MAX),
        "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"
    );
}

#[test]
fn cidrsubnet_errors() {
    assert_eq!(
        subnet("192.168.0.0/24", 8, 256),
        "error: subnet number 256 does not fit in 8 new bits of 192.168.0.0/24 (valid subnet numbers are 0 to 255)"
    );
    assert_eq!(
        subnet("192.168.0.0/24", 8, -1),
        "error: subnet number -1 does not fit in 8 new bits of 192.168.0.0/24 (valid subnet numbers are 0 to 255)"
    );
    assert_eq!(
        subnet("10.0.0.0/8", 25, 0),
        "error: cannot extend 10.0.0.0/8 by 25 bits: /33 is longer than the 32 bits of an IPv4 address"
    );
    assert_eq!(
        subnet("fd00::/64", 65, 0),
        "error: cannot extend fd00::/64 by 65 bits: /129 is longer than the 128 bits of an IPv6 address"
    );
    assert_eq!(
        subnet("10.0.0.0/8", -1, 0),
        "error: newbits must be a whole number of at least 0, got -1"
    );
}

#[test]
fn cidrsubnets_consecutive_and_aligned() {
    assert_eq!(
        subnets("10.1.0.0/16", &[4, 4, 8, 4]).unwrap(),
        [
            "10.1.0.0/20",
            "10.1.16.0/20",
            "10.1.32.0/24",
            "10.1.48.0/20"
        ]
    );
    assert_eq!(
        subnets("fd00:fd12:3456:7890::/56", &[16, 16, 16, 32]).unwrap(),
        [
            "fd00:fd12:3456:7800::/72",
            "fd00:fd12:3456:7800:100::/72",
            "fd00:fd12:3456:7800:200::/72",
            "fd00:fd12:3456:7800:300::/88"
        ]
    );
    assert_eq!(
        subnets("0.0.0.0/0", &[1, 1]).unwrap(),
        ["0.0.0.0/1", "128.0.0.0/1"]
    );
    assert_eq!(subnets("::/0", &[1, 1]).unwrap(), ["::/1", "8000::/1"]);
    assert_eq!(subnets("10.0.0.0/8", &[]).unwrap(), Vec::<String>::new());
    assert_eq!(
        subnets("10.0.0.0/30", &[1, 1, 1]).unwrap_err(),
        "not enough room in 10.0.0.0/30 for a /31 subnet after 10.0.0.2/31"
    );
    assert_eq!(
        subnets("::/0", &[1, 1, 1]).unwrap_err(),
        "not enough room in ::/0 for a /1 subnet after 8000::/1"
    );
    assert_eq!(
        subnets("10.0.0.0/8", &[8, 0]).unwrap_err(),
        "newbits must be a whole number of at least 1, got 0"
    );
    assert_eq!(
        subnets("10.0.0.0/24", &[9]).unwrap_err(),
        "cannot extend 10.0.0.0/24 by 9 bits: /33 is longer than the 32 bits of an IPv4 address"
    );
}

#[test]
fn netmask_network_size_broadcast() {
    let mask = |p: &str| ipmath::netmask(&net(p)).map_or_else(|e| e.to_string(), |m| m.to_string());
    assert_eq!(mask("192.168.1.0/24"), "255.255.255.0");
    assert_eq!(mask("172.16.0.0/12"), "255.240.0.0");
    assert_eq!(mask("0.0.0.0/0"), "0.0.0.0");
    assert_eq!(mask("10.0.0.1/32"), "255.255.255.255");
    assert_eq!(
        mask("fd00::/8"),
        "fd00::/8 is an IPv6 prefix; netmasks exist only for IPv4 (use cidrprefixlen for the length)"
    );
    assert_eq!(
        ipmath::network(&net("192.168.1.77/24")).to_string(),
        "192.168.1.0/24"
    );
    assert_eq!(
        ipmath::network(&net("fd00::1234/64")).to_string(),
        "fd00::/64"
    );
    assert_eq!(ipmath::prefix_len(&net("fd00::1234/64")), 64);
    assert_eq!(ipmath::size(&net("192.168.1.0/24")), Ok(256));
    assert_eq!(ipmath::size(&net("192.168.1.1/32")), Ok(1));
    assert_eq!(ipmath::size(&net("0.0.0.0/0")), Ok(1 << 32));
    assert_eq!(ipmath::size(&net("fd00::/64")), Ok(1 << 64));
    assert_eq!(ipmath::size(&net("::/1")), Ok(1 << 127));
    assert_eq!(
        ipmath::size(&net("::/0")).unwrap_err().to_string(),
        "::/0 holds 2^128 addresses, more than the largest supported integer (2^128 - 1)"
    );
    assert_eq!(
        ipmath::broadcast(&net("192.168.1.0/24"))
            .unwrap()
            .to_string(),
        "192.168.1.255"
    );
    assert_eq!(
        ipmath::broadcast(&net("fd00::/64"))
            .unwrap_err()
            .to_string(),
        "fd00::/64 is an IPv6 prefix; IPv6 has no broadcast address (use cidrhost(prefix, -1) for the last address)"
    );
}

#[test]
fn first_and_last_usable() {
    let fl = |p: &str| {
        let n = net(p);
        (
            ipmath::first_usable(&n).to_string(),
            ipmath::last_usable(&n).to_string(),
        )
    };
    assert_eq!(
        fl("192.168.1.0/24"),
        ("192.168.1.1".into(), "192.168.1.254".into())
    );
    assert_eq!(
        fl("192.168.1.9/30"),
        ("192.168.1.9".into(), "192.168.1.10".into())
    );
    assert_eq!(
        fl("192.168.1.0/31"),
        ("192.168.1.0".into(), "192.168.1.1".into())
    );
    assert_eq!(
        fl("192.168.1.7/32"),
        ("192.168.1.7".into(), "192.168.1.7".into())
    );
    assert_eq!(
        fl("0.0.0.0/0"),
        ("0.0.0.1".into(), "255.255.255.254".into())
    );
    assert_eq!(
        fl("fd00::/64"),
        ("fd00::1".into(), "fd00::ffff:ffff:ffff:ffff".into())
    );
    assert_eq!(fl("fd00::/127"), ("fd00::".into(), "fd00::1".into()));
    assert_eq!(fl("fd00::5/128"), ("fd00::5".into(), "fd00::5".into()));
}

#[test]
fn contains_and_overlaps() {
    let c = |a: &str, b: &str| ipmath::contains(&net(a), &ipmath::parse_addr_or_prefix(b).unwrap());
    assert!(c("192.168.1.0/24", "192.168.1.10"));
    assert!(c("192.168.1.0/24", "192.168.1.128/25"));
    assert!(c("192.168.1.99/24", "192.168.1.0/24"));
    assert!(!c("192.168.1.0/24", "192.168.2.1"));
    assert!(!c("192.168.1.0/24", "192.168.0.0/16"));
    assert!(!c("0.0.0.0/0", "::1"), "families never contain each other");
    assert!(c("fd00::/8", "fd00:1::/32"));
    assert!(c("::/0", "2001:db8::1"));
    let o = |a: &str, b: &str| ipmath::overlaps(&net(a), &net(b));
    assert!(o("10.0.0.0/8", "10.1.0.0/16"));
    assert!(o("10.1.0.0/16", "10.0.0.0/8"));
    assert!(!o("10.0.0.0/16", "10.1.0.0/16"));
    assert!(!o("0.0.0.0/0", "::/0"));
    assert!(o("fd00::/64", "fd00::/64"));
}

#[test]
fn address_arithmetic() {
    let add = |a: &str, n: i128| {
        ipmath::add_spec(ipmath::parse_addr_spec(a).unwrap(), n)
            .map_or_else(|e| format!("error: {e}"), |a| a.to_string())
    };
    assert_eq!(add("192.168.1.11", 1), "192.168.1.12");
    assert_eq!(add("10.0.0.255", 1), "10.0.1.0");
    assert_eq!(add("10.0.1.0", -1), "10.0.0.255");
    assert_eq!(add("fd00::ffff", 1), "fd00::1:0");
    assert_eq!(add("192.168.1.11/24", 1), "192.168.1.12/24");
    assert_eq!(
        add("255.255.255.255", 1),
        "error: 255.255.255.255 + 1 is outside the IPv4 address space"
    );
    assert_eq!(
        add("0.0.0.0", -1),
        "error: 0.0.0.0 + -1 is outside the IPv4 address space"
    );
    assert_eq!(
        add("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1),
        "error: ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff + 1 is outside the IPv6 address space"
    );
    assert_eq!(
        add("::", i128::MIN),
        format!(
            "error: :: + {} is outside the IPv6 address space",
            i128::MIN
        )
    );
    assert_eq!(
        add("192.168.1.254/24", 5),
        "error: 192.168.1.254/24 + 5 = 192.168.2.3 is outside the subnet 192.168.1.0/24"
    );
    assert_eq!(ipmath::version(ipmath::parse_addr("10.0.0.1").unwrap()), 4);
    assert_eq!(ipmath::version(ipmath::parse_addr("::1").unwrap()), 6);
}

#[test]
fn parse_errors_name_the_text_and_the_reason() {
    let p = |s: &str| ipmath::parse_prefix(s).unwrap_err().to_string();
    assert_eq!(
        p("192.168.1.0/33"),
        "\"192.168.1.0/33\" is not a CIDR prefix (the length 33 is more than 32, the bits of an IPv4 address)"
    );
    assert_eq!(
        p("fd00::/129"),
        "\"fd00::/129\" is not a CIDR prefix (the length 129 is more than 128, the bits of an IPv6 address)"
    );
    assert_eq!(
        p("192.168.1.10"),
        "\"192.168.1.10\" is not a CIDR prefix (the /length is missing, e.g. 192.168.1.10/32)"
    );
    assert_eq!(
        p("192.168.1.300/24"),
        "\"192.168.1.300/24\" is not a CIDR prefix (\"192.168.1.300\" is not an IP address)"
    );
    assert_eq!(
        p("10.0.0.0/x"),
        "\"10.0.0.0/x\" is not a CIDR prefix (the length \"x\" is not a whole number)"
    );
    assert_eq!(
        p("10.0.0.0/"),
        "\"10.0.0.0/\" is not a CIDR prefix (the length \"\" is not a whole number)"
    );
    assert_eq!(
        p("hello"),
        "\"hello\" is not a CIDR prefix (expected address/length such as 192.168.1.0/24)"
    );
    let a = |s: &str| ipmath::parse_addr(s).unwrap_err().to_string();
    assert_eq!(
        a("192.168.1.300"),
        "\"192.168.1.300\" is not an IP address (octet 300 is more than 255)"
    );
    assert_eq!(a("1.2.3"), "\"1.2.3\" is not an IP address");
    assert_eq!(a(""), "\"\" is not an IP address");
    assert_eq!(a(" 1.2.3.4"), "\" 1.2.3.4\" is not an IP address");
    assert_eq!(
        a("10.0.0.1/24"),
        "\"10.0.0.1/24\" is not an IP address (it has a /length; use ipaddr() to take the address part)"
    );
    assert_eq!(
        a("fe80::1%eth0"),
        "\"fe80::1%eth0\" is not an IP address (zone indexes such as %eth0 are not supported)"
    );
    assert_eq!(
        ipmath::parse_addr("010.000.000.001").unwrap().to_string(),
        "10.0.0.1"
    );
    assert_eq!(
        ipmath::parse_addr("0000010.0.0.1").unwrap().to_string(),
        "10.0.0.1"
    );
}

/// 550 random cases whose results came from github.com/apparentlymart/go-cidr v1.1.0, the
/// library behind Terraform's cidrhost/cidrsubnet/cidrsubnets (generated once with a throwaway
/// Go program driving `HostBig`, `SubnetBig` and Terraform's `PreviousSubnet`/`NextSubnet` loop).
/// Only cases where Terraform's known quirks do not apply are included: newbits above 32 (which
/// Terraform refuses and machinist allows), prefixes starting at the all-zeros address (where
/// Terraform's cidrsubnets wraps around and fails) and IPv4-mapped IPv6 results (which Go prints
/// in dotted IPv4 form).
#[test]
fn matches_terraform_go_cidr_on_random_cases() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cidr_vectors.txt");
    let text = std::fs::read_to_string(path).unwrap();
    let mut count = 0;
    for (n, line) in text.lines().enumerate() {
        let (input, expected) = line.split_once(" => ").unwrap();
        let f: Vec<&str> = input.split(' ').collect();
        let got = match f[0] {
            "host" => host(f[1], f[2].parse().unwrap()),
            "subnet" => subnet(f[1], f[2].parse().unwrap(), f[3].parse().unwrap()),
            _ => {
                let bits: Vec<i128> = f[2].split(',').map(|b| b.parse().unwrap()).collect();
                subnets(f[1], &bits).map_or_else(|e| format!("error: {e}"), |v| v.join(","))
            }
        };
        let got = match got.strip_prefix("error: ") {
            Some(_) => "err".to_string(),
            None => format!("ok {got}"),
        };
        assert_eq!(got, expected, "line {}: {input}", n + 1);
        count += 1;
    }
    assert_eq!(count, 550);
}
