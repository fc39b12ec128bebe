//! An edge deployment's two servers, as `nats/conf/edge` makes them: the hub
//! (JetStream domain `hub`) and the site `site1` (domain `site1`), joined to
//! the hub as a leaf node, with the test passwords and callout issuer.

use std::path::PathBuf;

use crate::server::{free_port, NatsServer};

/// The hub and its site.
pub struct Edge {
    /// The hub's server.
    pub hub: NatsServer,
    /// The site's server, a leaf of the hub.
    pub site: NatsServer,
}

fn conf(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../nats/conf/edge")).join(name)
}

fn vars(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

impl Edge {
    /// Start the hub, then the site (which joins it once both are up).
    pub fn start() -> anyhow::Result<Self> {
        let leaf = free_port()?;
        let hub = NatsServer::start_conf_vars(&conf("hub.conf"), move |dir, port, _| {
            vars(&[
                ("CHORUS_HUB_PORT", port.to_string()),
                ("CHORUS_HUB_LEAF_PORT", leaf.to_string()),
                ("CHORUS_HUB_JS_DIR", dir.join("js").display().to_string()),
            ])
        })?;
        let site = NatsServer::start_conf_vars(&conf("site.conf"), move |dir, port, ws_port| {
            vars(&[
                ("CHORUS_SITE_NAME", "site1".into()),
                ("CHORUS_SITE_DOMAIN", "site1".into()),
                ("CHORUS_SITE_PORT", port.to_string()),
                ("CHORUS_SITE_WS_PORT", ws_port.to_string()),
                ("CHORUS_SITE_WEB_ORIGIN", "http://127.0.0.1:5174".into()),
                ("CHORUS_SITE_JS_DIR", dir.join("js").display().to_string()),
                ("CHORUS_HUB_LEAF_URL", format!("nats-leaf://service:service-test@127.0.0.1:{leaf}")),
            ])
        })?;
        Ok(Self { hub, site })
    }
}
