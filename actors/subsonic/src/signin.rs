//! Who is asking: Subsonic's credentials (`u` with `p` or `t`+`s`, or
//! OpenSubsonic's `apiKey`) checked by auth's `app_password.sign_in`, and
//! the signed-in listener every call is made as. A sign-in is reused for
//! the same credentials for `credential_cache_s` (never past its token's
//! expiry), so an app's requests do not each cost a sign-in.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chorus_nats::messages::auth::{AppSignIn, Role};
use chorus_nats::{ChorusClient, ClientError, Request};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::params::Params;
use crate::reply::{codes, Failure};

/// Sign-ins remembered at most; past it the oldest half is forgotten.
const MAX_REMEMBERED: usize = 10_000;

/// A signed-in listener: calls go out with their token.
#[derive(Clone)]
pub(crate) struct Listener {
    pub(crate) client: ChorusClient,
    pub(crate) user: Uuid,
    pub(crate) username: String,
    pub(crate) email: String,
    pub(crate) admin: bool,
    /// The app's name (`c`), for playback sessions.
    pub(crate) app: String,
}

impl Listener {
    /// Call a service as this listener; its errors as the protocol's.
    pub(crate) async fn call<R: Request>(&self, request: &R) -> Result<R::Reply, Failure> {
        self.client.call(request).await.map_err(Failure::from_client)
    }
}

struct Remembered {
    listener: Listener,
    until: Instant,
}

/// See the module docs.
pub(crate) struct SignIns {
    nats: ChorusClient,
    ttl: Duration,
    remembered: Mutex<HashMap<[u8; 32], Remembered>>,
}

impl SignIns {
    pub(crate) fn new(nats: ChorusClient, ttl: Duration) -> Self {
        Self { nats, ttl, remembered: Mutex::default() }
    }

    /// Whether `params` carry any credentials at all.
    pub(crate) fn offered(params: &Params) -> bool {
        ["u", "p", "t", "s", "apiKey"].iter().any(|k| params.get(k).is_some())
    }

    /// The listener `params` sign in as; `peer` is the HTTP client's address.
    pub(crate) async fn listener(&self, params: &Params, peer: &str) -> Result<Listener, Failure> {
        let request = credentials(params)?;
        let key = digest(&request);
        let now = Instant::now();
        if let Some(r) = self.lock().get(&key).filter(|r| r.until > now) {
            return Ok(r.listener.clone());
        }
        let request = AppSignIn { client: Some(peer.to_string()), ..request };
        let session = self.nats.call(&request).await.map_err(sign_in_failure)?;
        let listener = Listener {
            client: self.nats.fresh().with_token(session.access_token.as_str()),
            user: session.user.id,
            username: session.user.username.clone(),
            email: session.user.email.clone(),
            admin: session.user.roles.contains(&Role::Admin),
            app: params.get("c").unwrap_or("subsonic").chars().take(64).collect(),
        };
        // Kept a minute short of the token's expiry, so a call never carries an expired one.
        let lives = Duration::from_secs(session.expires_at.saturating_sub(chorus_nats::clock::now_s() + 60));
        let ttl = self.ttl.min(lives);
        if !ttl.is_zero() {
            let mut remembered = self.lock();
            if remembered.len() >= MAX_REMEMBERED {
                remembered.retain(|_, r| r.until > now);
                if remembered.len() >= MAX_REMEMBERED {
                    remembered.clear();
                }
            }
            remembered.insert(key, Remembered { listener: listener.clone(), until: now + ttl });
        }
        Ok(listener)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Remembered>> {
        self.remembered.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The sign-in request `params` make, or the protocol's error for what is
/// missing (10) or conflicting (43).
fn credentials(params: &Params) -> Result<AppSignIn, Failure> {
    let conflicting =
        || Failure::new(codes::CONFLICTING_AUTH, "Multiple conflicting authentication mechanisms provided");
    let (u, p, t, s, key) = (params.get("u"), params.get("p"), params.get("t"), params.get("s"), params.get("apiKey"));
    if let Some(key) = key {
        if u.is_some() || p.is_some() || t.is_some() || s.is_some() {
            return Err(conflicting());
        }
        return Ok(AppSignIn { api_key: Some(key.to_string()), ..Default::default() });
    }
    let u = u.ok_or_else(|| Failure::missing("u"))?;
    match (p, t, s) {
        (Some(_), Some(_), _) => Err(conflicting()),
        (Some(p), None, _) => {
            Ok(AppSignIn { username: Some(u.to_string()), password: Some(plain_password(p)?), ..Default::default() })
        }
        (None, Some(t), Some(s)) => Ok(AppSignIn {
            username: Some(u.to_string()),
            token: Some(t.to_string()),
            salt: Some(s.to_string()),
            ..Default::default()
        }),
        (None, Some(_), None) => Err(Failure::missing("s")),
        (None, None, _) => Err(Failure::missing("p")),
    }
}

/// `p`, which Subsonic lets an app send hex-encoded as `enc:<hex>`.
fn plain_password(p: &str) -> Result<String, Failure> {
    let Some(hex) = p.strip_prefix("enc:") else { return Ok(p.to_string()) };
    let bytes: Option<Vec<u8>> =
        (0..hex.len()).step_by(2).map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect();
    bytes
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| Failure::new(codes::WRONG_CREDENTIALS, "Wrong username or password"))
}

fn digest(r: &AppSignIn) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in [&r.username, &r.password, &r.token, &r.salt, &r.api_key] {
        h.update(part.as_deref().unwrap_or("\u{0}").as_bytes());
        h.update([0xff]);
    }
    h.finalize().into()
}

fn sign_in_failure(e: ClientError) -> Failure {
    use chorus_nats::errors::auth as auth_codes;
    match e.code() {
        Some(auth_codes::INVALID_CREDENTIALS) => Failure::new(codes::WRONG_CREDENTIALS, "Wrong username or password"),
        Some(auth_codes::INVALID_API_KEY) => Failure::new(codes::INVALID_API_KEY, "Invalid API key"),
        Some(auth_codes::CONFLICTING_CREDENTIALS) => {
            Failure::new(codes::CONFLICTING_AUTH, "Multiple conflicting authentication mechanisms provided")
        }
        Some(auth_codes::ACCOUNT_DISABLED) => Failure::new(codes::WRONG_CREDENTIALS, "This account has been disabled"),
        _ => Failure::from_client(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str) -> Params {
        let mut p = Params::default();
        p.extend_from(q.as_bytes());
        p
    }

    #[test]
    fn credentials_are_one_mechanism_or_an_error_with_its_code() {
        assert_eq!(credentials(&params("u=a&p=enc:736573616d65")).unwrap().password.as_deref(), Some("sesame"));
        assert_eq!(credentials(&params("u=a&t=x&s=y")).unwrap().salt.as_deref(), Some("y"));
        assert_eq!(credentials(&params("apiKey=k")).unwrap().api_key.as_deref(), Some("k"));
        assert_eq!(credentials(&params("apiKey=k&u=a")).unwrap_err().code, 43);
        assert_eq!(credentials(&params("u=a&p=x&t=y&s=z")).unwrap_err().code, 43);
        assert_eq!(credentials(&params("p=x")).unwrap_err().code, 10);
        assert_eq!(credentials(&params("u=a")).unwrap_err().code, 10);
        assert_eq!(credentials(&params("u=a&t=x")).unwrap_err().code, 10);
    }
}
