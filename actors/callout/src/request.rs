//! nats-server's authorization request, read and checked: a NATS JWT signed
//! by the server's own nkey (`iss` = `server_id.id`, `N…`), for our issuer
//! (`sub`), with `aud: nats-authorization-request`, `nats.type:
//! authorization_request`, `nats.version: 2` and an `exp` at the server's
//! auth timeout; sealed to our xkey when the server has one configured.
//!
//! A request that fails a check gets no answer (the server refuses the
//! connection at its auth timeout): signing an answer for a request we
//! cannot trust would make us a signing service for whoever sent it.

use anyhow::Context as _;
use nkeys::{KeyPair, KeyPairType};
use serde_json::Value;

use crate::nats_jwt;
use crate::xkey::XKey;

/// The header naming the server's xkey on a sealed request.
pub const XKEY_HEADER: &str = "Nats-Server-Xkey";
const AUDIENCE: &str = "nats-authorization-request";
/// How far the server's clock may run ahead of ours when we read its `exp`.
const CLOCK_SKEW_S: u64 = 30;

/// What the callout needs from a request.
#[derive(Debug, Clone)]
pub struct AuthRequest {
    /// The connection's user nkey, made by the server for this request.
    pub user_nkey: String,
    /// The server's id (its public nkey), which a restart changes.
    pub server_id: String,
    /// The server's name, which a restart keeps.
    pub server_name: String,
    /// The server's xkey, when it sealed the request: the answer is sealed to it.
    pub server_xkey: Option<String>,
    /// The client's address.
    pub client_host: String,
    /// The client's id on its server.
    pub client_id: u64,
    /// CONNECT `user`.
    pub user: String,
    /// CONNECT `pass`.
    pub password: String,
    /// CONNECT `auth_token`: a browser's inbox nonce.
    pub token: String,
    /// The request's own `exp` (Unix seconds): an answer after it is too late.
    pub expires: u64,
}

/// Reads requests for one issuer.
pub struct RequestReader {
    issuer: String,
    server_keys: Vec<String>,
    xkey: Option<XKey>,
}

impl RequestReader {
    /// Requests to `issuer` (our account key), signed by one of `server_keys`
    /// (any server when empty), sealed to `xkey` when given.
    pub fn new(issuer: String, server_keys: Vec<String>, xkey: Option<XKey>) -> Self {
        Self { issuer, server_keys, xkey }
    }

    /// Our xkey, to seal answers with.
    pub fn xkey(&self) -> Option<&XKey> {
        self.xkey.as_ref()
    }

    /// The request in `payload` (with the server's xkey header, if any), at `now` (Unix seconds).
    pub fn read(&self, payload: &[u8], server_xkey: Option<&str>, now: u64) -> anyhow::Result<AuthRequest> {
        let opened;
        let jwt = match (&self.xkey, server_xkey) {
            (Some(ours), Some(theirs)) => {
                opened = ours.open(payload, theirs).context("sealed authorization request")?;
                &opened[..]
            }
            (Some(_), None) => anyhow::bail!("auth.callout.xkey_seed is set but the request is not sealed"),
            (None, Some(_)) => {
                anyhow::bail!("the request is sealed (the server has an xkey): set auth.callout.xkey_seed")
            }
            (None, None) => payload,
        };
        let jwt = std::str::from_utf8(jwt).context("authorization request is not text")?;
        let claims = nats_jwt::decode(jwt).context("authorization request")?;
        self.check(&claims, server_xkey, now)
    }

    fn check(&self, claims: &Value, server_xkey: Option<&str>, now: u64) -> anyhow::Result<AuthRequest> {
        let text =
            |v: &Value, what: &str| v.as_str().map(str::to_string).with_context(|| format!("request without {what}"));
        let signer = text(&claims["iss"], "iss")?;
        let key = KeyPair::from_public_key(&signer).context("iss")?;
        anyhow::ensure!(matches!(key.key_pair_type(), KeyPairType::Server), "signed by {signer}, not a server key");
        anyhow::ensure!(
            self.server_keys.is_empty() || self.server_keys.contains(&signer),
            "signed by server {signer}, which is not one of auth.callout.server_keys"
        );
        anyhow::ensure!(claims["aud"] == AUDIENCE, "aud is {}, not {AUDIENCE}", claims["aud"]);
        anyhow::ensure!(claims["sub"] == self.issuer.as_str(), "for issuer {}, not ours", claims["sub"]);
        let nats = &claims["nats"];
        anyhow::ensure!(nats["type"] == "authorization_request", "type is {}", nats["type"]);
        anyhow::ensure!(nats["version"] == 2, "version is {}", nats["version"]);
        let expires = claims["exp"].as_u64().context("request without exp")?;
        anyhow::ensure!(expires + CLOCK_SKEW_S >= now, "request expired at {expires} (now {now})");
        let server = &nats["server_id"];
        let server_id = text(&server["id"], "server_id.id")?;
        anyhow::ensure!(server_id == signer, "server_id.id {server_id} did not sign it ({signer} did)");
        if let Some(theirs) = server_xkey {
            // The header is not signed; the claims are.
            anyhow::ensure!(
                server["xkey"] == theirs,
                "sealed with xkey {theirs}, but the server's is {}",
                server["xkey"]
            );
        }
        let user_nkey = text(&nats["user_nkey"], "user_nkey")?;
        let user = KeyPair::from_public_key(&user_nkey).context("user_nkey")?;
        anyhow::ensure!(matches!(user.key_pair_type(), KeyPairType::User), "user_nkey {user_nkey} is not a user key");
        let client = &nats["client_info"];
        let connect = &nats["connect_opts"];
        let optional = |v: &Value| v.as_str().unwrap_or_default().to_string();
        Ok(AuthRequest {
            user_nkey,
            server_name: optional(&server["name"]),
            server_id,
            server_xkey: server_xkey.map(str::to_string),
            client_host: optional(&client["host"]),
            client_id: client["id"].as_u64().context("request without client_info.id")?,
            user: optional(&connect["user"]),
            password: optional(&connect["pass"]),
            token: optional(&connect["auth_token"]),
            expires,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::testing::claims;

    fn now() -> u64 {
        chorus_nats::clock::now_ms() / 1000
    }

    #[test]
    fn a_request_from_a_server_reads() {
        let (server, account) = (KeyPair::new_server(), KeyPair::new_account());
        let reader = RequestReader::new(account.public_key(), vec![], None);
        let jwt = nats_jwt::encode(&claims(&server, &account.public_key(), "nonce"), &server).unwrap();
        let request = reader.read(jwt.as_bytes(), None, now()).unwrap();
        assert_eq!(
            (request.server_id.as_str(), request.server_name.as_str()),
            (server.public_key().as_str(), "chorus_dev")
        );
        assert_eq!(
            (request.client_host.as_str(), request.client_id, request.token.as_str()),
            ("127.0.0.1", 39, "nonce")
        );
        assert!(request.user_nkey.starts_with('U'));
    }

    #[test]
    fn only_the_configured_servers_are_heard() {
        let (server, other, account) = (KeyPair::new_server(), KeyPair::new_server(), KeyPair::new_account());
        let reader = RequestReader::new(account.public_key(), vec![server.public_key()], None);
        let from = |signer: &KeyPair| nats_jwt::encode(&claims(signer, &account.public_key(), "n"), signer).unwrap();
        assert!(reader.read(from(&server).as_bytes(), None, now()).is_ok());
        let e = reader.read(from(&other).as_bytes(), None, now()).unwrap_err();
        assert!(format!("{e:#}").contains("server_keys"), "{e:#}");
    }

    #[test]
    fn requests_that_are_not_authorization_requests_for_us_are_not_read() {
        let (server, account) = (KeyPair::new_server(), KeyPair::new_account());
        let reader = RequestReader::new(account.public_key(), vec![], None);
        let user = KeyPair::new_user();
        let mut cases: Vec<(&str, Value, &KeyPair)> = Vec::new();
        let base = claims(&server, &account.public_key(), "n");
        let with = |path: &[&str], value: Value| {
            let mut c = base.clone();
            let mut at = &mut c;
            for p in &path[..path.len() - 1] {
                at = &mut at[*p];
            }
            at[path[path.len() - 1]] = value;
            c
        };
        cases.push(("aud", with(&["aud"], json!("someone-else")), &server));
        cases.push(("sub", with(&["sub"], json!(KeyPair::new_account().public_key())), &server));
        cases.push(("type", with(&["nats", "type"], json!("authorization_response")), &server));
        cases.push(("version", with(&["nats", "version"], json!(1)), &server));
        cases.push(("exp", with(&["exp"], json!(now() - 60)), &server));
        cases.push(("no exp", with(&["exp"], Value::Null), &server));
        cases.push((
            "server id",
            with(&["nats", "server_id", "id"], json!(KeyPair::new_server().public_key())),
            &server,
        ));
        cases.push(("user nkey", with(&["nats", "user_nkey"], json!(KeyPair::new_account().public_key())), &server));
        cases.push(("client id", with(&["nats", "client_info", "id"], Value::Null), &server));
        let by_user = with(&["iss"], json!(user.public_key()));
        cases.push(("signed by a user", by_user, &user));
        for (what, claims, signer) in cases {
            let jwt = nats_jwt::encode(&claims, signer).unwrap();
            assert!(reader.read(jwt.as_bytes(), None, now()).is_err(), "{what}");
        }
    }

    #[test]
    fn sealed_requests_open_with_our_xkey_only() {
        let (server, account) = (KeyPair::new_server(), KeyPair::new_account());
        let (ours, theirs) = (XKey::generate(), XKey::generate());
        let mut c = claims(&server, &account.public_key(), "n");
        c["nats"]["server_id"]["xkey"] = json!(theirs.public_key());
        let jwt = nats_jwt::encode(&c, &server).unwrap();
        let sealed = theirs.seal(jwt.as_bytes(), &ours.public_key()).unwrap();
        let reader = RequestReader::new(account.public_key(), vec![], Some(ours));
        let request = reader.read(&sealed, Some(&theirs.public_key()), now()).unwrap();
        assert_eq!(request.server_xkey, Some(theirs.public_key()));
        // Not sealed, though we expect it; sealed, though we have no key; a
        // header naming another key than the signed claims do.
        assert!(reader.read(jwt.as_bytes(), None, now()).is_err());
        let plain = RequestReader::new(account.public_key(), vec![], None);
        assert!(plain.read(&sealed, Some(&theirs.public_key()), now()).is_err());
        let intruder = XKey::generate();
        let resealed = intruder.seal(jwt.as_bytes(), &reader.xkey().unwrap().public_key()).unwrap();
        assert!(reader.read(&resealed, Some(&intruder.public_key()), now()).is_err());
    }
}
