//! What a service builder gets from the host: its own module, so that
//! `service` (which names it in `ServiceBuilder`) and `host` (which builds
//! services) do not import each other.

use std::sync::Arc;

use crate::auth::Trust;
use crate::config::Config;

/// What a service builder gets from the host.
#[derive(Clone)]
pub struct HostContext {
    /// The node's NATS connection (service user).
    pub nats: async_nats::Client,
    /// The node's configuration.
    pub config: Arc<Config>,
    /// The node's id.
    pub node_id: String,
    /// The keys and disabled users every instance checks tokens against.
    pub trust: Arc<Trust>,
    /// Turns true when the node starts draining: a service that serves
    /// something besides its endpoints (the OpenSubsonic gateway's HTTP)
    /// stops taking new work then, as the endpoints do.
    pub draining: tokio::sync::watch::Receiver<bool>,
}

impl HostContext {
    /// JetStream on the node's connection.
    pub fn jetstream(&self) -> async_nats::jetstream::Context {
        async_nats::jetstream::new(self.nats.clone())
    }
}
