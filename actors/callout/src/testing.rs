//! Authorization requests as nats-server sends them, for tests here and in
//! the auth service (and the fuzz targets' seeds).

use nkeys::KeyPair;
use serde_json::{json, Value};

/// A request as nats-server 2.15 sends it (fields seen on the wire).
pub fn claims(server: &KeyPair, issuer: &str, token: &str) -> Value {
    let now = chorus_nats::clock::now_ms() / 1000;
    json!({
        "aud": "nats-authorization-request", "iat": now, "exp": now + 2,
        "jti": "J", "iss": server.public_key(), "sub": issuer,
        "nats": {
            "server_id": {"name": "chorus_dev", "host": "127.0.0.1", "id": server.public_key(), "version": "2.15.1"},
            "user_nkey": KeyPair::new_user().public_key(),
            "client_info": {"host": "127.0.0.1", "id": 39, "user": "web", "kind": "Client", "type": "nats"},
            "connect_opts": {"auth_token": token, "user": "web", "pass": "web-test", "lang": "rust", "version": "0.51.0", "protocol": 1},
            "type": "authorization_request", "version": 2,
        },
    })
}
