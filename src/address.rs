//! The host part of the ways a node or cluster is addressed. In: an address, endpoint or URL as
//! users and Talos write them (`10.0.0.1`, `10.0.0.1:50000`, `https://10.0.0.10:6443/x`,
//! `[fd00::1]:50000`, `fd00::1`). Out: the host alone — one rule for lint, talosconfig checks,
//! imports and etcd membership.

/// The host of an endpoint or address: `https://10.0.0.10:6443` → `10.0.0.10`,
/// `[fd00::1]:50000` → `fd00::1`, `10.0.0.1:50000` → `10.0.0.1`; a bare IPv6 address stays whole.
pub fn host(endpoint: &str) -> &str {
    let s = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
    let s = s.split('/').next().unwrap_or(s);
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match s.rsplit_once(':') {
        Some((h, port)) if !h.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::host as endpoint_host;

    #[test]
    fn endpoint_hosts() {
        assert_eq!(endpoint_host("https://10.0.0.1:6443"), "10.0.0.1");
        assert_eq!(endpoint_host("https://[fd00::1]:6443/x"), "fd00::1");
        assert_eq!(endpoint_host("https://api.lan"), "api.lan");
        assert_eq!(endpoint_host("10.0.0.1:50000"), "10.0.0.1");
        assert_eq!(endpoint_host("fd00::1"), "fd00::1");
        assert_eq!(endpoint_host("https://cp.lan:6443/x"), "cp.lan");
    }
}
