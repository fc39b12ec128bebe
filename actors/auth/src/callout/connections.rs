//! The browser connections the callout has let in and that have not closed
//! yet, as far as it knows: to refuse a second connection with a live inbox
//! nonce, and to cap connections per client host and in all.
//!
//! A grant is remembered from the answer that made it until nats-server's
//! disconnect event for that connection (`$SYS.ACCOUNT.<web>.DISCONNECT`,
//! which names it by server id and client id, the same pair the request
//! carried), or until its user JWT expires: the server closes a connection at
//! its JWT's `exp`, so no entry outlives that even when its event is lost.
//! A server that restarts sends no events for the connections it lost; it
//! comes back under the same name with a new id, and the first request or
//! event from the new id forgets every grant made on the old one.

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;

/// One connection, as nats-server names it: its server's id and its client id there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ConnectionId {
    /// `server_id.id` of the request (`server.id` of the disconnect event).
    pub(crate) server: String,
    /// `client_info.id` of the request (`client.id` of the disconnect event).
    pub(crate) client: u64,
}

/// A connection let in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    pub(crate) id: ConnectionId,
    /// The name of its server, which survives the server's restarts.
    pub(crate) server_name: String,
    /// Its client host (see [`host_key`]).
    pub(crate) host: String,
    /// A digest of its inbox nonce (the nonce itself is a secret).
    pub(crate) nonce: String,
    /// Its user JWT's `exp`, in Unix seconds.
    pub(crate) expires: u64,
}

/// Why a connection is not let in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Another live connection has this inbox nonce.
    NonceInUse,
    /// This client host has as many connections as it may.
    HostFull(usize),
    /// The browser account has as many connections as it may.
    Full(usize),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NonceInUse => {
                write!(f, "this inbox nonce belongs to a live connection: a new connection needs a new nonce")
            }
            Refusal::HostFull(n) => write!(f, "too many browser connections from this host (at most {n})"),
            Refusal::Full(n) => write!(f, "too many browser connections (at most {n}): try again later"),
        }
    }
}

/// The live grants.
pub(crate) struct Connections {
    per_host: usize,
    total: usize,
    live: HashMap<ConnectionId, Grant>,
    /// Nonce digest -> its live connections: one, unless racing instances both let one in.
    nonces: HashMap<String, Vec<ConnectionId>>,
    hosts: HashMap<String, usize>,
    by_expiry: BTreeSet<(u64, ConnectionId)>,
    /// Server name -> the id it runs under now.
    servers: HashMap<String, String>,
}

impl Connections {
    /// At most `per_host` connections from one host and `total` in all.
    pub(crate) fn new(per_host: usize, total: usize) -> Self {
        Self {
            per_host,
            total,
            live: HashMap::new(),
            nonces: HashMap::new(),
            hosts: HashMap::new(),
            by_expiry: BTreeSet::new(),
            servers: HashMap::new(),
        }
    }

    /// Whether a connection from `host` with this nonce digest may be let in now.
    pub(crate) fn admits(&mut self, host: &str, nonce: &str, now: u64) -> Result<(), Refusal> {
        self.expire(now);
        if self.nonces.contains_key(nonce) {
            return Err(Refusal::NonceInUse);
        }
        if self.hosts.get(host).copied().unwrap_or(0) >= self.per_host {
            return Err(Refusal::HostFull(self.per_host));
        }
        if self.live.len() >= self.total {
            return Err(Refusal::Full(self.total));
        }
        Ok(())
    }

    /// Remember a grant (ours or another instance's). It says nothing of
    /// which id its server runs under now: another instance's note can be
    /// late, and name a server's id from before its restart.
    pub(crate) fn insert(&mut self, grant: Grant) {
        self.remove(&grant.id);
        self.nonces.entry(grant.nonce.clone()).or_default().push(grant.id.clone());
        *self.hosts.entry(grant.host.clone()).or_default() += 1;
        self.by_expiry.insert((grant.expires, grant.id.clone()));
        self.live.insert(grant.id.clone(), grant);
    }

    /// Forget a connection that closed.
    pub(crate) fn remove(&mut self, id: &ConnectionId) -> Option<Grant> {
        let grant = self.live.remove(id)?;
        if let Some(ids) = self.nonces.get_mut(&grant.nonce) {
            ids.retain(|c| c != id);
            if ids.is_empty() {
                self.nonces.remove(&grant.nonce);
            }
        }
        if let Some(n) = self.hosts.get_mut(&grant.host) {
            *n -= 1;
            if *n == 0 {
                self.hosts.remove(&grant.host);
            }
        }
        self.by_expiry.remove(&(grant.expires, grant.id.clone()));
        Some(grant)
    }

    /// A request or a disconnect event came from server `name` running as `id`: when it
    /// ran under another id before, it restarted, and the connections it
    /// had are gone.
    pub(crate) fn server_seen(&mut self, name: &str, id: &str) {
        if name.is_empty() || name == id {
            // Unnamed servers are named by their id, which a restart changes:
            // their lost connections age out with their JWTs.
            return;
        }
        match self.servers.insert(name.to_string(), id.to_string()) {
            Some(old) if old != id => {
                let lost: Vec<ConnectionId> = self.live.keys().filter(|c| c.server == old).cloned().collect();
                if !lost.is_empty() {
                    tracing::info!(
                        server = name,
                        connections = lost.len(),
                        "server restarted: forgetting its browser connections"
                    );
                }
                for id in lost {
                    self.remove(&id);
                }
            }
            _ => {}
        }
    }

    /// Forget the connections whose JWTs have expired: the server closed them.
    pub(crate) fn expire(&mut self, now: u64) {
        while let Some((expires, id)) = self.by_expiry.first().cloned() {
            if expires > now {
                break;
            }
            self.remove(&id);
        }
    }

    /// Live connections.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.live.len()
    }
}

/// What connections are counted by: the client's address, and for IPv6 its
/// /64 (one subscriber's network, which hands out addresses freely).
pub(crate) fn host_key(host: &str) -> String {
    match host.trim_matches(['[', ']']).parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(IpAddr::V6(v6)) => v6.to_ipv4_mapped().map(|v4| v4.to_string()).unwrap_or_default(),
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => host.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(server: &str, client: u64, host: &str, nonce: &str, expires: u64) -> Grant {
        Grant {
            id: ConnectionId { server: server.into(), client },
            server_name: "s1".into(),
            host: host.into(),
            nonce: nonce.into(),
            expires,
        }
    }

    #[test]
    fn a_nonce_is_good_for_one_live_connection() {
        let mut c = Connections::new(10, 100);
        assert_eq!(c.admits("h", "n1", 0), Ok(()));
        c.insert(grant("S1", 1, "h", "n1", 100));
        assert_eq!(c.admits("h", "n1", 0), Err(Refusal::NonceInUse));
        assert_eq!(c.admits("h", "n2", 0), Ok(()));
        c.remove(&ConnectionId { server: "S1".into(), client: 1 });
        assert_eq!(c.admits("h", "n1", 0), Ok(()));
        assert_eq!(c.len(), 0);
    }

    #[test]
    fn caps_per_host_and_in_all() {
        let mut c = Connections::new(2, 3);
        c.insert(grant("S1", 1, "a", "n1", 100));
        c.insert(grant("S1", 2, "a", "n2", 100));
        assert_eq!(c.admits("a", "n3", 0), Err(Refusal::HostFull(2)));
        assert_eq!(c.admits("b", "n3", 0), Ok(()));
        c.insert(grant("S1", 3, "b", "n3", 100));
        assert_eq!(c.admits("c", "n4", 0), Err(Refusal::Full(3)));
        c.remove(&ConnectionId { server: "S1".into(), client: 1 });
        assert_eq!(c.admits("a", "n4", 0), Ok(()));
        // The same grant heard twice (ours echoed, or a peer's) counts once.
        c.insert(grant("S1", 3, "b", "n3", 100));
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn grants_end_with_their_jwts() {
        let mut c = Connections::new(10, 100);
        c.insert(grant("S1", 1, "h", "n1", 50));
        c.insert(grant("S1", 2, "h", "n2", 80));
        assert_eq!(c.admits("h", "n1", 49), Err(Refusal::NonceInUse));
        assert_eq!(c.admits("h", "n1", 50), Ok(()));
        assert_eq!(c.admits("h", "n2", 79), Err(Refusal::NonceInUse));
        c.expire(80);
        assert_eq!(c.len(), 0);
        assert!(c.hosts.is_empty() && c.nonces.is_empty() && c.by_expiry.is_empty());
    }

    #[test]
    fn a_restarted_server_takes_its_connections_with_it() {
        let mut c = Connections::new(10, 100);
        c.insert(grant("OLD", 1, "h", "n1", 100));
        c.insert(Grant { server_name: "s2".into(), ..grant("OTHER", 1, "h", "n2", 100) });
        c.server_seen("s1", "OLD");
        assert_eq!(c.len(), 2);
        c.server_seen("s1", "NEW");
        assert_eq!(c.len(), 1);
        assert_eq!(c.admits("h", "n1", 0), Ok(()));
        assert_eq!(c.admits("h", "n2", 0), Err(Refusal::NonceInUse));
        // A server without a name is named by its id: nothing to compare.
        c.server_seen("NEWER", "NEWER");
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn a_late_note_about_a_server_before_its_restart_changes_nothing_else() {
        let mut c = Connections::new(10, 100);
        c.server_seen("s1", "NEW");
        c.insert(grant("NEW", 1, "h", "n1", 100));
        c.insert(grant("OLD", 7, "h", "n2", 100));
        assert_eq!(c.len(), 2);
        c.server_seen("s1", "NEW");
        assert_eq!(c.admits("h", "n1", 0), Err(Refusal::NonceInUse));
    }

    #[test]
    fn a_nonce_granted_twice_by_racing_instances_stays_taken_until_both_close() {
        let mut c = Connections::new(10, 100);
        c.insert(grant("S1", 1, "h", "n1", 100));
        c.insert(grant("S1", 2, "h", "n1", 100));
        c.remove(&ConnectionId { server: "S1".into(), client: 2 });
        assert_eq!(c.admits("h", "n1", 0), Err(Refusal::NonceInUse));
        c.remove(&ConnectionId { server: "S1".into(), client: 1 });
        assert_eq!(c.admits("h", "n1", 0), Ok(()));
    }

    #[test]
    fn hosts_are_addresses_and_ipv6_networks() {
        assert_eq!(host_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(host_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(host_key("[2001:db8:1:2::ffff]"), "2001:db8:1:2::/64");
        assert_eq!(host_key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(host_key("not an address"), "not an address");
    }
}
