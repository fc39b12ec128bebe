//! What every instance trusts: the auth service's published keys and the
//! users it has disabled, kept in memory, plus a bounded cache of verified tokens.
//!
//! An Ed25519 verification costs more than a whole NATS round trip, so a
//! token is verified once and its claims kept until it expires; the checks
//! that can change while a token lives (its key withdrawn, its user
//! disabled) are map lookups on every request.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use async_nats::jetstream::kv;

use chorus_nats::messages::auth::{Claims, ISSUER};
use chorus_nats::ServiceError;
use ed25519_dalek::VerifyingKey;
use uuid::Uuid;

use super::token::{self, TokenError};

/// Verified tokens kept; past it, expired ones go, and if none had, all do.
const CACHE_CAPACITY: usize = 65_536;

/// Unknown key ids are looked up in the bucket at most [`LOOKUPS_PER_PAUSE`]
/// times in all, and each at most once, per [`LOOKUP_PAUSE`]: tokens with
/// made-up key ids cost a map lookup, not a read each.
const LOOKUPS_PER_PAUSE: usize = 8;
const LOOKUP_PAUSE: Duration = Duration::from_secs(1);

/// See the module docs.
#[derive(Default)]
pub struct Trust {
    keys: RwLock<HashMap<String, VerifyingKey>>,
    disabled: RwLock<HashSet<Uuid>>,
    verified: Mutex<HashMap<Box<str>, Arc<Claims>>>,
    /// The trust bucket, for looking up a key the watch has not delivered yet.
    store: OnceLock<kv::Store>,
    looked_up: Mutex<HashMap<String, Instant>>,
    /// An edge site cut off from its hub (see [`Outage`]).
    outage: Mutex<Option<Outage>>,
}

/// An edge site cut off from its hub since `since` (Unix seconds): a token
/// still valid at that moment is accepted past its expiry for `grace`
/// seconds after it, because no refresh can reach the hub's auth, and
/// nothing the hub decides (a disabled user, a withdrawn key) can reach the
/// site either. A token that had expired before the cut stays expired, and
/// once the hub is heard again every expired token is refused as before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outage {
    /// When the hub was last heard (Unix seconds).
    pub since: u64,
    /// How long past `since` sessions live on.
    pub grace: u64,
}

impl Trust {
    /// Look keys up in `store` when a token names one not seen yet.
    pub fn set_store(&self, store: kv::Store) {
        let _ = self.store.set(store);
    }

    /// Fetch the key `token` names straight from the bucket; whether it was
    /// found. Each key id is looked up at most once a second, so tokens with
    /// made-up key ids cannot turn into a flood of reads.
    pub async fn fetch_key(&self, token: &str) -> bool {
        let (Some(store), Ok(kid)) = (self.store.get(), token::key_id(token)) else { return false };
        {
            let mut looked = lock(&self.looked_up);
            let now = Instant::now();
            if looked.get(&kid).is_some_and(|at| now.duration_since(*at) < LOOKUP_PAUSE) {
                return false;
            }
            if looked.len() >= LOOKUPS_PER_PAUSE {
                looked.retain(|_, at| now.duration_since(*at) < LOOKUP_PAUSE);
            }
            if looked.len() >= LOOKUPS_PER_PAUSE {
                return false;
            }
            looked.insert(kid.clone(), now);
        }
        let entry = store.get(super::watch::key_key(&kid)).await.ok().flatten();
        match entry.and_then(|v| super::watch::parse_key(&v)) {
            Some(key) => {
                self.add_key(&kid, key);
                true
            }
            None => false,
        }
    }

    /// Trust `key` for tokens naming `kid`.
    pub fn add_key(&self, kid: &str, key: VerifyingKey) {
        write(&self.keys).insert(kid.to_string(), key);
    }

    /// Stop trusting `kid`. Tokens verified with it are forgotten too (keys
    /// are withdrawn rarely; a verified token is not checked against its key again).
    pub fn remove_key(&self, kid: &str) {
        if write(&self.keys).remove(kid).is_some() {
            lock(&self.verified).clear();
        }
    }

    /// Refuse `user`'s tokens from now on, or accept them again.
    pub fn set_disabled(&self, user: Uuid, disabled: bool) {
        let mut set = write(&self.disabled);
        if disabled {
            set.insert(user);
        } else {
            set.remove(&user);
        }
    }

    /// Trust exactly `keys` and refuse exactly `disabled` (a reload of the
    /// bucket). The disabled list is swapped in first, so at no moment is a
    /// disabled user's token accepted; verified tokens are forgotten only if
    /// a key went away.
    pub fn replace(&self, keys: HashMap<String, VerifyingKey>, disabled: HashSet<Uuid>) {
        *write(&self.disabled) = disabled;
        let mut current = write(&self.keys);
        let withdrawn = current.keys().any(|kid| !keys.contains_key(kid));
        *current = keys;
        drop(current);
        if withdrawn {
            lock(&self.verified).clear();
        }
    }

    /// The site is cut off from its hub (`Some`), or hears it (`None`).
    pub fn set_outage(&self, outage: Option<Outage>) {
        *lock(&self.outage) = outage;
    }

    /// Whether a token that expired at `exp` is still accepted at `now`.
    fn outage_allows(&self, exp: u64, now: u64) -> bool {
        lock(&self.outage).is_some_and(|o| exp > o.since && now < o.since.saturating_add(o.grace))
    }

    /// How many keys are trusted.
    pub fn key_count(&self) -> usize {
        read(&self.keys).len()
    }

    /// The claims of a valid `token` at `now` (seconds), or the 401 to answer.
    pub fn verify(&self, token: &str, now: u64) -> Result<Arc<Claims>, ServiceError> {
        let cached = lock(&self.verified).get(token).cloned();
        let claims = match cached {
            Some(claims) => claims,
            None => {
                let claims = Arc::new(self.verify_signature(token)?);
                self.remember(token, claims.clone(), now);
                claims
            }
        };
        if claims.exp <= now && !self.outage_allows(claims.exp, now) {
            return Err(unauthorized(
                chorus_nats::errors::common::TOKEN_EXPIRED,
                "the access token has expired; refresh it",
            ));
        }
        if read(&self.disabled).contains(&claims.sub) {
            return Err(unauthorized(chorus_nats::errors::common::USER_DISABLED, "this account has been disabled"));
        }
        Ok(claims)
    }

    fn verify_signature(&self, token: &str) -> Result<Claims, ServiceError> {
        let kid = token::key_id(token).map_err(reject)?;
        let key = read(&self.keys).get(&kid).copied().ok_or_else(|| reject(TokenError::UnknownKey))?;
        let claims = token::verify(token, &key).map_err(reject)?;
        if claims.iss != ISSUER {
            return Err(reject(TokenError::Malformed));
        }
        Ok(claims)
    }

    fn remember(&self, token: &str, claims: Arc<Claims>, now: u64) {
        let mut cache = lock(&self.verified);
        if cache.len() >= CACHE_CAPACITY {
            cache.retain(|_, c| c.exp > now);
            if cache.len() >= CACHE_CAPACITY {
                cache.clear();
            }
        }
        cache.insert(token.into(), claims);
    }
}

fn unauthorized(code: &'static str, message: &str) -> ServiceError {
    ServiceError::unauthorized(code, message)
}

fn reject(e: TokenError) -> ServiceError {
    let code = match e {
        TokenError::Malformed => chorus_nats::errors::common::INVALID_TOKEN,
        TokenError::UnknownKey => chorus_nats::errors::common::UNKNOWN_KEY,
        TokenError::BadSignature => chorus_nats::errors::common::INVALID_TOKEN,
    };
    unauthorized(code, &e.to_string())
}

// A poisoned lock only means a panic elsewhere while holding it; the maps stay usable.
fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|e| e.into_inner())
}

fn lock<T>(l: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    l.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chorus_nats::messages::auth::{Plan, Role};
    use ed25519_dalek::SigningKey;

    fn token(key: &SigningKey, kid: &str, exp: u64, user: Uuid) -> String {
        let claims = Claims {
            iss: ISSUER.into(),
            sub: user,
            name: "ada".into(),
            roles: vec![Role::Listener],
            plan: Plan::Free,
            sid: Uuid::now_v7(),
            iat: 0,
            exp,
        };
        token::sign(&claims, kid, key)
    }

    #[test]
    fn an_outage_keeps_sessions_valid_at_the_cut_alive_for_its_grace_and_no_others() {
        let trust = Trust::default();
        let key = SigningKey::from_bytes(&[2; 32]);
        trust.add_key("k1", key.verifying_key());
        let (user, other) = (Uuid::now_v7(), Uuid::now_v7());
        let live = token(&key, "k1", 1_000, user);
        let stale = token(&key, "k1", 900, user);
        assert_eq!(trust.verify(&live, 1_500).unwrap_err().code, "token_expired");
        // Cut off at 950: `live` was valid then, `stale` was not.
        trust.set_outage(Some(Outage { since: 950, grace: 3_600 }));
        assert_eq!(trust.verify(&live, 1_500).unwrap().sub, user);
        assert_eq!(trust.verify(&stale, 1_500).unwrap_err().code, "token_expired");
        assert_eq!(trust.verify(&live, 950 + 3_600).unwrap_err().code, "token_expired", "the grace ends");
        // What the site knew of disabled users still holds.
        trust.set_disabled(user, true);
        assert_eq!(trust.verify(&live, 1_500).unwrap_err().code, "user_disabled");
        let theirs = token(&key, "k1", 1_000, other);
        assert_eq!(trust.verify(&theirs, 1_500).unwrap().sub, other);
        // Heard again: expired is expired.
        trust.set_outage(None);
        assert_eq!(trust.verify(&theirs, 1_500).unwrap_err().code, "token_expired");
    }

    #[test]
    fn keys_expiry_and_disabled_users_are_checked_even_when_cached() {
        let trust = Trust::default();
        let key = SigningKey::from_bytes(&[1; 32]);
        let user = Uuid::now_v7();
        let t = token(&key, "k1", 100, user);
        assert_eq!(trust.verify(&t, 10).unwrap_err().code, "unknown_key");
        trust.add_key("k1", key.verifying_key());
        assert_eq!(trust.verify(&t, 10).unwrap().sub, user);
        assert_eq!(trust.verify(&t, 100).unwrap_err().code, "token_expired");
        trust.set_disabled(user, true);
        assert_eq!(trust.verify(&t, 10).unwrap_err().code, "user_disabled");
        trust.set_disabled(user, false);
        trust.remove_key("k1");
        assert_eq!(trust.verify(&t, 10).unwrap_err().code, "unknown_key");
    }

    #[test]
    fn a_reload_swaps_keys_and_disabled_users_in_at_once() {
        let trust = Trust::default();
        let key = SigningKey::from_bytes(&[2; 32]);
        let (ann, bob) = (Uuid::now_v7(), Uuid::now_v7());
        trust.add_key("k1", key.verifying_key());
        trust.set_disabled(ann, true);
        let (a, b) = (token(&key, "k1", 100, ann), token(&key, "k1", 100, bob));
        assert_eq!(trust.verify(&a, 10).unwrap_err().code, "user_disabled");
        // A reload that still lists ann keeps refusing her and accepting bob.
        let keys = HashMap::from([("k1".to_string(), key.verifying_key())]);
        trust.replace(keys.clone(), HashSet::from([ann]));
        assert_eq!(trust.verify(&a, 10).unwrap_err().code, "user_disabled");
        assert_eq!(trust.verify(&b, 10).unwrap().sub, bob);
        // One that no longer has the key forgets the tokens it verified.
        trust.replace(HashMap::new(), HashSet::new());
        assert_eq!(trust.verify(&b, 10).unwrap_err().code, "unknown_key");
    }
}
