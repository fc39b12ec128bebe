//! nats-server's auth callout, answered for browser connections.
//!
//! Every browser connects as the shared `web` user, so plain server config
//! could only let all of them subscribe to `_INBOX.>`, and one listener could
//! read another's replies (access tokens among them). With the callout the
//! server asks this service about each new connection; the answer is a user
//! JWT for that connection alone: publish on the browser request subjects,
//! subscribe only below the inbox prefix the client chose
//! (`_INBOX_<nonce>.`, the nonce sent as the connect token). Nobody else may
//! subscribe there, and the nonce only ever travels to the services.
//!
//! Service users are listed in the server's `auth_users` and never reach here.

mod nats_jwt;

use std::sync::Arc;

use anyhow::Context as _;
use chorus_nats::subjects;
use futures::StreamExt;
use nkeys::KeyPair;
use ractor::{Actor, ActorProcessingErr, ActorRef};
use serde::Deserialize;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;

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
    /// The account browsers land in: the services' account.
    #[serde(default = "default_account")]
    pub account: String,
    /// The user browsers connect as.
    #[serde(default = "default_web_user")]
    pub web_user: String,
    /// Its password (the web page's settings hold it).
    pub web_password: String,
}

fn default_account() -> String {
    "WEB".into()
}

fn default_web_user() -> String {
    "web".into()
}

impl std::fmt::Debug for CalloutConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CalloutConfig").field("user", &self.user).field("account", &self.account).finish()
    }
}

/// A new account key to sign callout answers with: (public key, seed).
pub fn new_issuer() -> anyhow::Result<(String, String)> {
    let key = KeyPair::new_account();
    let seed = key.seed().context("a new account key's seed")?;
    Ok((key.public_key(), seed))
}

/// The inbox prefix a browser connection with this nonce may read.
pub fn inbox_prefix(nonce: &str) -> String {
    format!("_INBOX_{nonce}")
}

/// Answers authorization requests.
pub(crate) struct Authorizer {
    config: CalloutConfig,
    issuer: KeyPair,
}

impl Authorizer {
    pub(crate) fn new(config: CalloutConfig) -> anyhow::Result<Self> {
        let issuer = KeyPair::from_seed(config.issuer_seed.trim()).context("auth.callout.issuer_seed")?;
        anyhow::ensure!(
            issuer.public_key().starts_with('A'),
            "auth.callout.issuer_seed must be an account seed (SA...)"
        );
        Ok(Self { config, issuer })
    }

    /// The signed reply to one authorization request: a user JWT, or the reason not.
    pub(crate) fn answer(&self, request: &[u8]) -> anyhow::Result<String> {
        let request = std::str::from_utf8(request).context("authorization request is not text")?;
        let claims = nats_jwt::decode(request).context("authorization request")?;
        let nats = &claims["nats"];
        let user_nkey = nats["user_nkey"].as_str().context("request without user_nkey")?;
        let server = nats["server_id"]["id"].as_str().context("request without server_id.id")?;
        let verdict = self.grant(&nats["connect_opts"], user_nkey);
        if let Err(reason) = &verdict {
            tracing::info!(reason = %reason, client = %nats["client_info"]["host"], "browser connection refused");
        }
        let mut body = json!({"type": "authorization_response", "version": 2});
        match verdict {
            Ok(user_jwt) => body["jwt"] = Value::String(user_jwt),
            Err(reason) => body["error"] = Value::String(reason),
        }
        let response = self.claims(user_nkey, server, body);
        nats_jwt::encode(&response, &self.issuer)
    }

    /// A user JWT for a browser connection, or why it is refused.
    fn grant(&self, connect: &Value, user_nkey: &str) -> Result<String, String> {
        let (user, password) = (connect["user"].as_str().unwrap_or(""), connect["pass"].as_str().unwrap_or(""));
        let user_ok = user.as_bytes().ct_eq(self.config.web_user.as_bytes());
        let password_ok = password.as_bytes().ct_eq(self.config.web_password.as_bytes());
        if !bool::from(user_ok & password_ok) {
            return Err("unknown user or wrong password".into());
        }
        let nonce = connect["auth_token"].as_str().unwrap_or("");
        if !(16..=64).contains(&nonce.len()) || !nonce.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(
                "a browser connection sends a random inbox nonce (16 to 64 letters and digits) as its token".into()
            );
        }
        let publish: Vec<String> = subjects::browser().iter().map(|e| e.subject()).collect();
        let permissions = json!({
            "pub": {"allow": publish},
            "sub": {"allow": [format!("{}.>", inbox_prefix(nonce))]},
            "subs": -1, "data": -1, "payload": -1,
            "type": "user", "version": 2,
        });
        let mut claims = self.claims(user_nkey, &self.config.account, permissions);
        claims["name"] = Value::String(self.config.web_user.clone());
        nats_jwt::encode(&claims, &self.issuer).map_err(|e| format!("signing: {e}"))
    }

    fn claims(&self, subject: &str, audience: &str, nats: Value) -> Value {
        json!({
            "jti": uuid::Uuid::new_v4().simple().to_string(),
            "iat": chorus_nats::headers::now_ms() / 1000,
            "iss": self.issuer.public_key(),
            "sub": subject,
            "aud": audience,
            "nats": nats,
        })
    }
}

/// The child that answers `$SYS.REQ.USER.AUTH` on a connection of its own
/// (the callout user lives in the server's auth account).
pub(crate) fn child(config: CalloutConfig, host: Arc<chorus_host::Config>) -> anyhow::Result<chorus_host::ChildSpec> {
    let authorizer = Arc::new(Authorizer::new(config)?);
    Ok(chorus_host::ChildSpec::actor("auth-callout", true, move || (Callout, (authorizer.clone(), host.clone()))))
}

struct Callout;

impl Actor for Callout {
    type Msg = ();
    type State = (Arc<Authorizer>, async_nats::Client, async_nats::Subscriber);
    type Arguments = (Arc<Authorizer>, Arc<chorus_host::Config>);

    async fn pre_start(
        &self,
        myself: ActorRef<()>,
        (authorizer, host): Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        let mut config = (*host).clone();
        config.nats_user = Some(authorizer.config.user.clone());
        config.nats_password = Some(authorizer.config.password.clone());
        config.nats_creds = None;
        let nats = chorus_host::connect::connect(&config, "chorus auth callout").await?;
        let requests = nats.queue_subscribe(subjects::auth::CALLOUT, "chorus_auth_callout".into()).await?;
        nats.flush().await?;
        myself.cast(())?;
        Ok((authorizer, nats, requests))
    }

    async fn handle(&self, _: ActorRef<()>, _: (), state: &mut Self::State) -> Result<(), ActorProcessingErr> {
        let (authorizer, nats, requests) = state;
        while let Some(msg) = requests.next().await {
            let Some(reply) = msg.reply else { continue };
            match authorizer.answer(&msg.payload) {
                Ok(answer) => nats.publish(reply, answer.into()).await?,
                // Unreadable: no answer, so the server refuses the connection at its timeout.
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "unreadable authorization request"),
            }
        }
        Err("the auth callout subscription ended".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authorizer() -> (Authorizer, KeyPair) {
        let account = KeyPair::new_account();
        let config = CalloutConfig {
            user: "callout".into(),
            password: "x".into(),
            issuer_seed: account.seed().unwrap(),
            account: "CHORUS".into(),
            web_user: "web".into(),
            web_password: "web-test".into(),
        };
        (Authorizer::new(config).unwrap(), account)
    }

    fn request(user: &str, pass: &str, token: &str) -> String {
        let server = KeyPair::new_server();
        let claims = json!({
            "iss": server.public_key(), "sub": "A", "aud": "nats-authorization-request",
            "nats": {
                "user_nkey": "UCONN", "server_id": {"id": "NSERVER"},
                "connect_opts": {"user": user, "pass": pass, "auth_token": token},
                "client_info": {"host": "127.0.0.1"},
                "type": "authorization_request", "version": 2,
            },
        });
        nats_jwt::encode(&claims, &server).unwrap()
    }

    #[test]
    fn a_browser_gets_its_own_inbox_and_the_browser_subjects_only() {
        let (a, account) = authorizer();
        let reply = nats_jwt::decode(&a.answer(request("web", "web-test", "abcdefghijklmnop1234").as_bytes()).unwrap())
            .unwrap();
        assert_eq!(reply["iss"], account.public_key());
        assert_eq!((reply["sub"].as_str(), reply["aud"].as_str()), (Some("UCONN"), Some("NSERVER")));
        let user = nats_jwt::decode(reply["nats"]["jwt"].as_str().unwrap()).unwrap();
        assert_eq!((user["sub"].as_str(), user["aud"].as_str()), (Some("UCONN"), Some("CHORUS")));
        assert_eq!(user["nats"]["sub"]["allow"], json!(["_INBOX_abcdefghijklmnop1234.>"]));
        let publish = user["nats"]["pub"]["allow"].as_array().unwrap();
        assert_eq!(publish.len(), subjects::browser().len());
        assert!(!publish.iter().any(|s| s.as_str().unwrap().contains("user.disable")));
    }

    #[test]
    fn wrong_passwords_and_missing_nonces_are_refused_with_a_reason() {
        let (a, _) = authorizer();
        for (user, pass, token) in [
            ("web", "nope", "abcdefghijklmnop1234"),
            ("service", "web-test", "abcdefghijklmnop1234"),
            ("web", "web-test", ""),
            ("web", "web-test", "short"),
            ("web", "web-test", "has.dots.in.it.abcdef"),
        ] {
            let reply = nats_jwt::decode(&a.answer(request(user, pass, token).as_bytes()).unwrap()).unwrap();
            assert!(reply["nats"]["jwt"].is_null(), "{user} {pass} {token}");
            assert!(reply["nats"]["error"].as_str().is_some_and(|e| !e.is_empty()));
        }
        assert!(a.answer(b"not a jwt").is_err());
    }
}
