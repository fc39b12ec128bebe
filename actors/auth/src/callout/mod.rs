//! nats-server's auth callout, answered for browser connections.
//!
//! Every browser connects as the shared `web` user, so plain server config
//! could only let all of them subscribe to `_INBOX.>`, and one listener could
//! read another's replies (access tokens among them). With the callout the
//! server asks this service about each new connection; the answer is a user
//! JWT for that connection alone: publish on the browser request subjects,
//! subscribe only below the inbox prefix the client chose
//! (`_INBOX_<nonce>.`, the nonce sent as the connect token), until the JWT
//! expires (`user_ttl_s`; the server then closes the connection and the page
//! reconnects with the same nonce). A nonce is good for one live connection
//! at a time, and connections are capped per client host and in all
//! (`connections`). Requests must be signed by a server (one of
//! `server_keys`, when set) and may be sealed to our xkey (`xkey`).
//!
//! Service users are listed in the server's `auth_users` and never reach here.

mod actor;
mod authorizer;
mod connections;

use chorus_callout::{nats_jwt, request, xkey};
use chorus_host::{HostContext, ServiceDef};
use futures::future::BoxFuture;

use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use nkeys::{KeyPair, KeyPairType};
use serde::Deserialize;

/// `[auth.callout]`.
#[derive(Clone, Deserialize)]
pub struct CalloutConfig {
    /// The NATS user the callout connects as (in the server's auth account,
    /// listed in `auth_users`).
    pub user: String,
    /// Its password.
    pub password: String,
    /// Seed of the account nkey named `issuer` in the server's `auth_callout`
    /// block (`chorus keygen --nats-account` makes one).
    pub issuer_seed: String,
    /// The account browsers land in (`WEB`, which imports only the browser
    /// request subjects); the callout follows its disconnect events.
    #[serde(default = "default_account")]
    pub account: String,
    /// The user browsers connect as.
    #[serde(default = "default_web_user")]
    pub web_user: String,
    /// Its password (the web page's settings hold it).
    pub web_password: String,
    /// Lifetime of a browser connection's user JWT: the server closes the
    /// connection at its `exp` and the page reconnects for a new one, so this
    /// bounds how long a grant (and a stale entry for a connection whose
    /// disconnect was never heard) lives.
    #[serde(default = "default_user_ttl_s")]
    pub user_ttl_s: u64,
    /// Subscriptions per browser connection: a page needs one (the request
    /// inbox, which nats.js and async-nats multiplex). nats-server 2.15 does
    /// not apply a callout user JWT's `subs` or `payload`: give the browser
    /// account the same numbers as `limits { max_subscriptions, max_payload }`
    /// in the server config, which it does apply.
    #[serde(default = "default_max_subs")]
    pub max_subs: u32,
    /// Largest message a browser may publish, headers included: the largest
    /// request the web player sends is a saved play queue (1,000 ids, about
    /// 18 KB in MessagePack, 39 KB in JSON). Replies to it are not limited.
    #[serde(default = "default_max_payload")]
    pub max_payload: u32,
    /// Live browser connections from one client address (an IPv6 /64 counts
    /// as one). Behind a reverse proxy every browser has the proxy's address:
    /// raise it to `max_connections` there.
    #[serde(default = "default_max_connections_per_host")]
    pub max_connections_per_host: usize,
    /// Live browser connections in all. Keep it at or under the browser
    /// account's `limits { max_connections }` in the server config, if any,
    /// so a refusal says why (the server's own refusal of a granted
    /// connection is counted out again by its disconnect event).
    #[serde(default = "default_max_connections")]
    pub max_connections: usize,
    /// Public nkeys (`N...`) of the servers allowed to ask; any server when
    /// empty. A list, or one comma-separated string
    /// (`CHORUS_AUTH__CALLOUT__SERVER_KEYS`).
    #[serde(default, deserialize_with = "key_list")]
    pub server_keys: Vec<String>,
    /// Seed of the curve key (`SX...`) whose public half is the server's
    /// `auth_callout { xkey }`: requests then arrive sealed to it, and
    /// answers are sealed to the server's key (`chorus_auth::callout::new_xkey`).
    #[serde(default)]
    pub xkey_seed: Option<String>,
}

/// See [`CalloutConfig`].
pub const DEFAULT_USER_TTL_S: u64 = 3600;
/// See [`CalloutConfig`].
pub const DEFAULT_MAX_SUBS: u32 = 16;
/// See [`CalloutConfig`].
pub const DEFAULT_MAX_PAYLOAD: u32 = 64 * 1024;
/// See [`CalloutConfig`].
pub const DEFAULT_MAX_CONNECTIONS_PER_HOST: usize = 64;
/// See [`CalloutConfig`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;

fn default_account() -> String {
    "WEB".into()
}

fn default_web_user() -> String {
    "web".into()
}

fn default_user_ttl_s() -> u64 {
    DEFAULT_USER_TTL_S
}

fn default_max_subs() -> u32 {
    DEFAULT_MAX_SUBS
}

fn default_max_payload() -> u32 {
    DEFAULT_MAX_PAYLOAD
}

fn default_max_connections_per_host() -> usize {
    DEFAULT_MAX_CONNECTIONS_PER_HOST
}

fn default_max_connections() -> usize {
    DEFAULT_MAX_CONNECTIONS
}

/// A list of keys, or one comma-separated string (as an environment variable gives it).
fn key_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Keys {
        List(Vec<String>),
        One(String),
    }
    let keys = match Keys::deserialize(d)? {
        Keys::List(l) => l,
        Keys::One(s) => s.split(',').map(str::to_string).collect(),
    };
    Ok(keys.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
}

impl CalloutConfig {
    fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.user_ttl_s > 0, "auth.callout.user_ttl_s must be at least 1");
        anyhow::ensure!(self.max_subs > 0, "auth.callout.max_subs must be at least 1 (the request inbox)");
        anyhow::ensure!(self.max_payload > 0, "auth.callout.max_payload must be at least 1");
        anyhow::ensure!(
            self.max_connections_per_host > 0 && self.max_connections > 0,
            "auth.callout.max_connections_per_host and max_connections must be at least 1"
        );
        for key in &self.server_keys {
            let server = KeyPair::from_public_key(key).ok().map(|k| k.key_pair_type());
            anyhow::ensure!(
                matches!(server, Some(KeyPairType::Server)),
                "auth.callout.server_keys: {key} is not a server public key (N...)"
            );
        }
        Ok(())
    }
}

impl std::fmt::Debug for CalloutConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CalloutConfig")
            .field("user", &self.user)
            .field("account", &self.account)
            .field("web_user", &self.web_user)
            .field("user_ttl_s", &self.user_ttl_s)
            .field("max_subs", &self.max_subs)
            .field("max_payload", &self.max_payload)
            .field("max_connections_per_host", &self.max_connections_per_host)
            .field("max_connections", &self.max_connections)
            .field("server_keys", &self.server_keys)
            .field("xkey", &self.xkey_seed.is_some())
            .finish()
    }
}

/// A new account key to sign callout answers with: (public key, seed).
pub fn new_issuer() -> anyhow::Result<(String, String)> {
    let key = KeyPair::new_account();
    let seed = key.seed().context("a new account key's seed")?;
    Ok((key.public_key(), seed))
}

/// A new curve key to seal callout messages with: (public key for the
/// server's `auth_callout { xkey }`, seed for `[auth.callout] xkey_seed`).
pub fn new_xkey() -> (String, String) {
    let key = xkey::XKey::generate();
    (key.public_key(), key.seed())
}

/// The inbox prefix a browser connection with this nonce may read.
pub fn inbox_prefix(nonce: &str) -> String {
    format!("_INBOX_{nonce}")
}

/// The child that answers the server's authorization requests.
pub(crate) fn child(config: CalloutConfig, host: Arc<chorus_host::Config>) -> anyhow::Result<chorus_host::ChildSpec> {
    let connections =
        Arc::new(Mutex::new(connections::Connections::new(config.max_connections_per_host, config.max_connections)));
    let authorizer = Arc::new(authorizer::Authorizer::new(config)?);
    Ok(chorus_host::ChildSpec::actor("auth-callout", true, move || {
        (actor::Callout, (authorizer.clone(), host.clone(), connections.clone()))
    }))
}

/// Service name of the browser gate hosted alone (see [`service`]).
pub const NAME: &str = "callout";

/// The browser gate alone (`services = [..., "callout"]`, never part of
/// `all`), for a node that does not host auth: an edge site, whose server
/// must let browsers in while the hub, and its auth, are away. It is the
/// callout of `[auth.callout]`, which needs nothing of auth's records: it
/// lets a connection in by the web user's password and the page's nonce,
/// and each request's token is checked by the service that answers it (at
/// a site, against the mirrored trust bucket). Where auth runs, the gate is
/// part of it and this refuses to start beside it.
pub fn service(ctx: HostContext) -> BoxFuture<'static, anyhow::Result<ServiceDef>> {
    Box::pin(async move {
        anyhow::ensure!(
            !ctx.config.hosts(crate::NAME),
            "service callout: this node hosts auth, which answers the callout itself; list callout only on nodes without auth"
        );
        let auth: crate::AuthConfig = ctx.config.section(crate::NAME)?;
        let config = auth.callout.context("service callout: [auth.callout] is not set (the gate's settings)")?;
        let account = config.account.clone();
        Ok(ServiceDef {
            name: NAME,
            description: "The browser gate: nats-server's auth callout, without auth",
            version: env!("CARGO_PKG_VERSION"),
            endpoints: Vec::new(),
            children: vec![child(config, ctx.config.clone())?],
            gate: None,
            workload: chorus_host::Workload::Waiting,
            metadata: vec![("account".into(), account)],
        })
    })
}
