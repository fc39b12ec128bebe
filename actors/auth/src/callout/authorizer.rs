//! The decision on one browser connection, and the signed answer.

use anyhow::Context as _;
use chorus_nats::subjects;
use nkeys::KeyPair;
use serde_json::{json, Value};
use sha2::Digest as _;
use subtle::ConstantTimeEq;

use super::connections::{host_key, ConnectionId, Connections, Grant, Refusal};
use super::request::{AuthRequest, RequestReader};
use super::xkey::XKey;
use super::{inbox_prefix, nats_jwt, CalloutConfig};

/// Why a connection is not let in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Denial {
    /// Wrong user, password or nonce: it never will be.
    Invalid(String),
    /// Not now (see [`Refusal`]).
    Busy(Refusal),
}

impl std::fmt::Display for Denial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Denial::Invalid(reason) => f.write_str(reason),
            Denial::Busy(refusal) => refusal.fmt(f),
        }
    }
}

/// A connection let in: its user JWT and what to remember of it.
#[derive(Debug)]
pub(crate) struct Admission {
    pub(crate) user_jwt: String,
    pub(crate) grant: Grant,
}

/// Decides authorization requests for browser connections.
pub(crate) struct Authorizer {
    pub(crate) config: CalloutConfig,
    issuer: KeyPair,
    reader: RequestReader,
    publish: Vec<String>,
}

impl Authorizer {
    pub(crate) fn new(config: CalloutConfig) -> anyhow::Result<Self> {
        config.validate()?;
        let issuer = KeyPair::from_seed(config.issuer_seed.trim()).context("auth.callout.issuer_seed")?;
        anyhow::ensure!(
            issuer.public_key().starts_with('A'),
            "auth.callout.issuer_seed must be an account seed (SA...)"
        );
        let xkey = config.xkey_seed.as_deref().map(XKey::from_seed).transpose().context("auth.callout.xkey_seed")?;
        let reader = RequestReader::new(issuer.public_key(), config.server_keys.clone(), xkey);
        let publish = subjects::browser().iter().map(|e| e.subject()).collect();
        Ok(Self { config, issuer, reader, publish })
    }

    /// The request in a `$SYS.REQ.USER.AUTH` message, or why it cannot be trusted.
    pub(crate) fn read(&self, payload: &[u8], server_xkey: Option<&str>, now: u64) -> anyhow::Result<AuthRequest> {
        self.reader.read(payload, server_xkey, now)
    }

    /// Let `request` in, or say why not. An admission is not remembered in
    /// `connections` until the caller inserts its grant.
    pub(crate) fn decide(
        &self,
        request: &AuthRequest,
        connections: &mut Connections,
        now: u64,
    ) -> Result<Admission, Denial> {
        let user_ok = request.user.as_bytes().ct_eq(self.config.web_user.as_bytes());
        let password_ok = request.password.as_bytes().ct_eq(self.config.web_password.as_bytes());
        if !bool::from(user_ok & password_ok) {
            return Err(Denial::Invalid("unknown user or wrong password".into()));
        }
        let nonce = &request.token;
        if !(16..=64).contains(&nonce.len()) || !nonce.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Denial::Invalid(
                "a browser connection sends a random inbox nonce (16 to 64 letters and digits) as its token".into(),
            ));
        }
        connections.server_seen(&request.server_name, &request.server_id);
        let host = host_key(&request.client_host);
        let digest = nonce_digest(nonce);
        connections.admits(&host, &digest, now).map_err(Denial::Busy)?;
        let expires = now + self.config.user_ttl_s;
        let user_jwt = self.user_jwt(request, nonce, now, expires).map_err(|e| Denial::Invalid(format!("{e:#}")))?;
        let grant = Grant {
            id: ConnectionId { server: request.server_id.clone(), client: request.client_id },
            server_name: request.server_name.clone(),
            host,
            nonce: digest,
            expires,
        };
        Ok(Admission { user_jwt, grant })
    }

    /// The user JWT of a browser connection: the browser subjects, its own
    /// inbox, the limits, until `expires`.
    fn user_jwt(&self, request: &AuthRequest, nonce: &str, now: u64, expires: u64) -> anyhow::Result<String> {
        let c = &self.config;
        let permissions = json!({
            "pub": {"allow": self.publish},
            "sub": {"allow": [format!("{}.>", inbox_prefix(nonce))]},
            // nats-server 2.15 does not apply these to callout users (see
            // CalloutConfig::max_subs); they are here for servers that do.
            "subs": c.max_subs, "payload": c.max_payload,
            // nats-server enforces no `data` limit on a user: -1 says so honestly.
            "data": -1,
            "type": "user", "version": 2,
        });
        let mut claims = self.claims(&request.user_nkey, &c.account, now, permissions);
        claims["name"] = Value::String(c.web_user.clone());
        claims["exp"] = json!(expires);
        nats_jwt::encode(&claims, &self.issuer)
    }

    /// The answer to `request`, signed, and sealed to the server's xkey when it sealed the request.
    pub(crate) fn answer(
        &self,
        request: &AuthRequest,
        verdict: Result<&str, String>,
        now: u64,
    ) -> anyhow::Result<Vec<u8>> {
        let mut body = json!({"type": "authorization_response", "version": 2});
        match verdict {
            Ok(user_jwt) => body["jwt"] = Value::String(user_jwt.to_string()),
            Err(reason) => body["error"] = Value::String(reason),
        }
        let response = nats_jwt::encode(&self.claims(&request.user_nkey, &request.server_id, now, body), &self.issuer)?;
        match (&request.server_xkey, self.reader.xkey()) {
            (Some(theirs), Some(ours)) => ours.seal(response.as_bytes(), theirs),
            _ => Ok(response.into_bytes()),
        }
    }

    fn claims(&self, subject: &str, audience: &str, now: u64, nats: Value) -> Value {
        json!({
            "jti": uuid::Uuid::new_v4().simple().to_string(),
            "iat": now,
            "iss": self.issuer.public_key(),
            "sub": subject,
            "aud": audience,
            "nats": nats,
        })
    }
}

/// What the callout keeps of a nonce: a digest, so the table (and what
/// instances tell each other) never holds an inbox key.
pub(crate) fn nonce_digest(nonce: &str) -> String {
    sha2::Sha256::digest(nonce.as_bytes())[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chorus_callout::testing::claims;

    fn config(account: &KeyPair) -> CalloutConfig {
        let mut c: CalloutConfig = serde_json::from_value(json!({
            "user": "callout", "password": "x", "issuer_seed": account.seed().unwrap(), "web_password": "web-test",
        }))
        .unwrap();
        c.account = "CHORUS".into();
        c
    }

    fn now() -> u64 {
        chorus_nats::clock::now_ms() / 1000
    }

    /// A request from one server (requests from two would say it restarted: both are named `chorus_dev`).
    fn request(a: &Authorizer, account: &KeyPair, edit: impl FnOnce(&mut Value)) -> AuthRequest {
        thread_local!(static SERVER: KeyPair = KeyPair::new_server());
        SERVER.with(|server| {
            let mut c = claims(server, &account.public_key(), "abcdefghijklmnop1234");
            edit(&mut c);
            a.read(nats_jwt::encode(&c, server).unwrap().as_bytes(), None, now()).unwrap()
        })
    }

    #[test]
    fn a_browser_gets_its_own_inbox_the_browser_subjects_limits_and_an_expiry() {
        let account = KeyPair::new_account();
        let a = Authorizer::new(config(&account)).unwrap();
        let r = request(&a, &account, |_| {});
        let mut connections = Connections::new(64, 10_000);
        let admission = a.decide(&r, &mut connections, now()).unwrap();
        let reply =
            nats_jwt::decode(std::str::from_utf8(&a.answer(&r, Ok(&admission.user_jwt), now()).unwrap()).unwrap())
                .unwrap();
        assert_eq!(reply["iss"], account.public_key());
        assert_eq!(
            (reply["sub"].as_str(), reply["aud"].as_str()),
            (Some(r.user_nkey.as_str()), Some(r.server_id.as_str()))
        );
        let user = nats_jwt::decode(reply["nats"]["jwt"].as_str().unwrap()).unwrap();
        assert_eq!((user["sub"].as_str(), user["aud"].as_str()), (Some(r.user_nkey.as_str()), Some("CHORUS")));
        assert_eq!(user["exp"].as_u64().unwrap() - user["iat"].as_u64().unwrap(), 3600);
        let nats = &user["nats"];
        assert_eq!(nats["sub"]["allow"], json!(["_INBOX_abcdefghijklmnop1234.>"]));
        assert_eq!(
            (nats["subs"].as_i64(), nats["payload"].as_i64(), nats["data"].as_i64()),
            (Some(16), Some(65536), Some(-1))
        );
        let publish = nats["pub"]["allow"].as_array().unwrap();
        assert_eq!(publish.len(), subjects::browser().len());
        assert!(!publish.iter().any(|s| s.as_str().unwrap().contains("user.disable")));
        assert_eq!(admission.grant.host, "127.0.0.1");
        assert_eq!(admission.grant.nonce, nonce_digest("abcdefghijklmnop1234"));
        assert_eq!(admission.grant.id, ConnectionId { server: r.server_id.clone(), client: 39 });
    }

    #[test]
    fn wrong_passwords_and_missing_nonces_are_refused_with_a_reason() {
        let account = KeyPair::new_account();
        let a = Authorizer::new(config(&account)).unwrap();
        let mut connections = Connections::new(64, 10_000);
        for (user, pass, token) in [
            ("web", "nope", "abcdefghijklmnop1234"),
            ("service", "web-test", "abcdefghijklmnop1234"),
            ("web", "web-test", ""),
            ("web", "web-test", "short"),
            ("web", "web-test", "has.dots.in.it.abcdef"),
        ] {
            let r = request(&a, &account, |c| {
                c["nats"]["connect_opts"] = json!({"user": user, "pass": pass, "auth_token": token});
            });
            let denial = a.decide(&r, &mut connections, now()).unwrap_err();
            assert!(matches!(denial, Denial::Invalid(_)), "{user} {pass} {token}");
            let reply =
                nats_jwt::decode(std::str::from_utf8(&a.answer(&r, Err(denial.to_string()), now()).unwrap()).unwrap())
                    .unwrap();
            assert!(reply["nats"]["jwt"].is_null());
            assert!(reply["nats"]["error"].as_str().is_some_and(|e| !e.is_empty()));
        }
        assert!(a.read(b"not a jwt", None, now()).is_err());
    }

    #[test]
    fn a_live_nonce_and_full_hosts_are_refused() {
        let account = KeyPair::new_account();
        let a = Authorizer::new(config(&account)).unwrap();
        let mut connections = Connections::new(2, 10_000);
        let first = request(&a, &account, |_| {});
        let admission = a.decide(&first, &mut connections, now()).unwrap();
        connections.insert(admission.grant);
        let again = request(&a, &account, |c| c["nats"]["client_info"]["id"] = json!(40));
        assert_eq!(a.decide(&again, &mut connections, now()).unwrap_err(), Denial::Busy(Refusal::NonceInUse));
        let other = |token: &'static str, id: u64| {
            request(&a, &account, move |c| {
                c["nats"]["connect_opts"]["auth_token"] = json!(token);
                c["nats"]["client_info"]["id"] = json!(id);
            })
        };
        let second = a.decide(&other("bbbbbbbbbbbbbbbbbbbb", 41), &mut connections, now()).unwrap();
        connections.insert(second.grant);
        let third = a.decide(&other("cccccccccccccccccccc", 42), &mut connections, now()).unwrap_err();
        assert_eq!(third, Denial::Busy(Refusal::HostFull(2)));
        assert!(third.to_string().contains("at most 2"));
    }

    #[test]
    fn answers_to_sealed_requests_are_sealed_to_the_server() {
        let account = KeyPair::new_account();
        let (ours, server_xkey) = (XKey::generate(), XKey::generate());
        let mut c = config(&account);
        c.xkey_seed = Some(ours.seed());
        let a = Authorizer::new(c).unwrap();
        let server = KeyPair::new_server();
        let mut claims = claims(&server, &account.public_key(), "abcdefghijklmnop1234");
        claims["nats"]["server_id"]["xkey"] = json!(server_xkey.public_key());
        let sealed =
            server_xkey.seal(nats_jwt::encode(&claims, &server).unwrap().as_bytes(), &ours.public_key()).unwrap();
        let r = a.read(&sealed, Some(&server_xkey.public_key()), now()).unwrap();
        let answer = a.answer(&r, Err("no".into()), now()).unwrap();
        assert!(answer.starts_with(b"xkv1"));
        let opened = server_xkey.open(&answer, &ours.public_key()).unwrap();
        let reply = nats_jwt::decode(std::str::from_utf8(&opened).unwrap()).unwrap();
        assert_eq!(reply["nats"]["error"], "no");
    }

    #[test]
    fn settings_are_checked_at_start() {
        let account = KeyPair::new_account();
        for edit in [
            (|c: &mut CalloutConfig| c.user_ttl_s = 0) as fn(&mut CalloutConfig),
            |c| c.max_subs = 0,
            |c| c.max_payload = 0,
            |c| c.max_connections_per_host = 0,
            |c| c.server_keys = vec![KeyPair::new_account().public_key()],
            |c| c.xkey_seed = Some(KeyPair::new_account().seed().unwrap()),
            |c| c.issuer_seed = KeyPair::new_user().seed().unwrap(),
        ] {
            let mut c = config(&account);
            edit(&mut c);
            assert!(Authorizer::new(c).is_err());
        }
    }
}
