//! `trusted_proxies`: the addresses whose `X-Forwarded-For` lines Lanyard believes.
//!
//! A client can write any `X-Forwarded-For` it likes; only the entries our own proxies appended
//! are facts. Walking the combined header lines from the right, every hop that is a trusted proxy
//! vouches for the entry to its left; the first entry that is not a trusted proxy is the client.

use std::net::IpAddr;

/// One address or network, as written in the configuration (`10.0.0.0/8`, `::1`, `192.0.2.7`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(text: &str) -> Result<Cidr, String> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let network: IpAddr = addr.parse().map_err(|_| format!("{text:?} is not an IP address or CIDR"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{text:?}: the prefix length must be 0..={max}"))?,
        };
        Ok(Cidr { network, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u32::from(net).into(), 32, self.prefix) == masked(u32::from(ip).into(), 32, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(u128::from(net), 128, self.prefix) == masked(u128::from(ip), 128, self.prefix)
            }
            _ => false,
        }
    }
}

fn masked(bits: u128, width: u32, prefix: u8) -> u128 {
    let keep = u32::from(prefix).min(width);
    if keep == 0 { 0 } else { bits >> (width - keep) }
}

/// `::ffff:10.0.0.1` (a v4 peer on a dual-stack socket) is `10.0.0.1`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The configured list; empty means "no proxy: `X-Forwarded-For` is ignored".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// A comma- or space-separated list; an empty text is the empty list.
    pub fn parse(text: &str) -> Result<TrustedProxies, String> {
        let cidrs = text
            .split([',', ' ', '\t', '\n'])
            .filter(|s| !s.trim().is_empty())
            .map(Cidr::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrustedProxies(cidrs))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    /// The client's address, given the peer that connected and every `X-Forwarded-For` line in
    /// the order received. A peer we do not trust is the client, whatever it wrote. An entry that
    /// is not an IP address ends the walk: the hop that wrote it is as far as we can see.
    pub fn client_address<'a>(&self, peer: IpAddr, forwarded: impl Iterator<Item = &'a str>) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let entries: Vec<&str> = forwarded.flat_map(|line| line.split(',')).map(str::trim).collect();
        let mut client = peer;
        for entry in entries.iter().rev() {
            let Some(ip) = parse_entry(entry) else { break };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// An `X-Forwarded-For` entry: an address, possibly bracketed or with a port (`[::1]:443`,
/// `192.0.2.1:8080`) as some proxies write them.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    if entry.len() > 64 {
        return None;
    }
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(sock) = entry.parse::<std::net::SocketAddr>() {
        return Some(canonical(sock.ip()));
    }
    entry.strip_prefix('[').and_then(|e| e.strip_suffix(']')).and_then(|e| e.parse().ok()).map(canonical)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn cidrs_match_their_networks_only() {
        let c = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(c.contains(ip("10.1.200.3")));
        assert!(!c.contains(ip("10.2.0.1")));
        assert!(c.contains(ip("::ffff:10.1.0.9")), "a v4-mapped peer is its v4 address");
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("203.0.113.9")));
        assert!(Cidr::parse("fd00::/8").unwrap().contains(ip("fd12::1")));
        assert!(!Cidr::parse("fd00::/8").unwrap().contains(ip("10.0.0.1")));
        assert!(Cidr::parse("127.0.0.1").unwrap().contains(ip("127.0.0.1")));
        assert!(!Cidr::parse("127.0.0.1").unwrap().contains(ip("127.0.0.2")));
        for bad in ["", "10.0.0.0/33", "::/129", "example.org", "10.0.0.0/x", "10.0.0/8"] {
            assert!(Cidr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(none.client_address(ip("198.51.100.7"), ["1.2.3.4"].into_iter()), ip("198.51.100.7"));
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_writes() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        assert_eq!(proxies.client_address(ip("198.51.100.7"), ["10.0.0.1"].into_iter()), ip("198.51.100.7"));
    }

    #[test]
    fn the_client_is_the_rightmost_untrusted_entry_across_lines() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.0.2.1").unwrap();
        // The client wrote "6.6.6.6" itself; our proxies appended the real address and their own.
        let lines = ["6.6.6.6", "203.0.113.5, 192.0.2.1"];
        assert_eq!(proxies.client_address(ip("10.0.0.2"), lines.into_iter()), ip("203.0.113.5"));
        // A second header line from the client does not win either.
        let lines = ["203.0.113.5", "6.6.6.6, 203.0.113.5"];
        assert_eq!(proxies.client_address(ip("10.0.0.2"), lines.into_iter()), ip("203.0.113.5"));
    }

    #[test]
    fn garbage_ends_the_walk_at_the_hop_that_wrote_it() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        assert_eq!(proxies.client_address(ip("10.0.0.2"), ["not-an-ip"].into_iter()), ip("10.0.0.2"));
        assert_eq!(proxies.client_address(ip("10.0.0.2"), ["1.1.1.1, x, 10.0.0.3"].into_iter()), ip("10.0.0.3"));
        assert_eq!(proxies.client_address(ip("10.0.0.2"), ["[2001:db8::1]:443"].into_iter()), ip("2001:db8::1"));
        assert_eq!(proxies.client_address(ip("10.0.0.2"), [].into_iter()), ip("10.0.0.2"));
    }

    #[test]
    fn all_trusted_means_the_leftmost_entry() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        assert_eq!(proxies.client_address(ip("10.0.0.2"), ["10.9.9.9, 10.0.0.3"].into_iter()), ip("10.9.9.9"));
    }
}
