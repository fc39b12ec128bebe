//! Auth helpers: an auth (and catalog) host with fast test hashing, and sign-ins.

use chorus_host::host::RunningHost;
use chorus_nats::messages::auth::{Login, Register, Session, User};
use chorus_nats::{ChorusClient, ClientError};
use chorus_testkit::{host_config, NatsServer};

/// The bootstrap admin's credentials.
pub const ADMIN: (&str, &str) = ("root", "admin password 1");

/// Auth settings for tests: cheap argon2 (tests exercise the logic, the
/// benchmark the OWASP cost), the given signing keys, a bootstrap admin.
pub fn auth_section(keys: &str) -> serde_json::Value {
    serde_json::json!({
        "signing_keys": keys,
        "argon2_memory_kib": 64,
        "argon2_iterations": 1,
        "bootstrap_admin": {"username": ADMIN.0, "email": "root@chorus.test", "password": ADMIN.1},
    })
}

/// `[auth.callout]` for the test servers (`nats/conf/dev.conf` and the edge
/// configs, with their test passwords and callout issuer).
pub fn callout_section() -> serde_json::Value {
    serde_json::json!({
        "user": "callout",
        "password": "callout-test",
        "issuer_seed": chorus_testkit::TEST_CALLOUT_SEED,
        "web_password": "web-test",
    })
}

/// A host with `services` (auth among them), signing with `keys`.
pub async fn host(server: &NatsServer, services: &[&str], keys: &str) -> RunningHost {
    let mut config = host_config(&server.url(), services);
    config.sections.insert("auth".into(), auth_section(keys));
    config.sections.insert("catalog".into(), serde_json::json!({"allow_writes": true}));
    match RunningHost::start(config, &chorus_nodes::registry()).await {
        Ok(host) => host,
        Err(e) => panic!("auth host: {e:#}"),
    }
}

/// A new signing-key line.
pub fn key() -> String {
    chorus_auth::keys::SigningKeys::generate()
}

/// A client on its own connection (its own rate-limit identity).
pub async fn client(server: &NatsServer) -> ChorusClient {
    ChorusClient::new(server.connect().await.expect("connect"))
}

/// Register `username` with a good password.
pub async fn register(c: &ChorusClient, username: &str) -> Result<User, ClientError> {
    let req =
        Register { username: username.into(), email: format!("{username}@chorus.test"), password: password(username) };
    c.call(&req).await
}

/// The password [`register`] gives `username`.
pub fn password(username: &str) -> String {
    format!("{username} listens to music")
}

/// Sign in.
pub async fn login(c: &ChorusClient, username: &str, password: &str) -> Result<Session, ClientError> {
    c.call(&Login { username: username.into(), password: password.into() }).await
}
