//! Tokens handed to a signed-in user: a short-lived access token (EdDSA JWT)
//! and an opaque refresh token, stored only as a hash.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use chorus_host::auth::token;
use chorus_nats::messages::auth::{Claims, Plan, Session, ISSUER};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::keys::SigningKeys;
use crate::records::UserRecord;

/// Signs access tokens.
pub(crate) struct Issuer {
    pub(crate) keys: SigningKeys,
    pub(crate) access_ttl_s: u64,
}

impl Issuer {
    /// A new session reply for `user` on `plan` in session `sid`, at `now` (seconds).
    pub(crate) fn session(&self, user: &UserRecord, plan: Plan, sid: Uuid, refresh_token: String, now: u64) -> Session {
        let claims = Claims {
            iss: ISSUER.into(),
            sub: user.id,
            name: user.username.clone(),
            roles: user.roles.clone(),
            plan,
            sid,
            iat: now,
            exp: now + self.access_ttl_s,
        };
        let (kid, key) = self.keys.active();
        Session {
            access_token: token::sign(&claims, kid, key),
            expires_at: claims.exp,
            refresh_token,
            user: user.view(),
        }
    }
}

/// A new refresh token for session `family`: `<family id>.<32 random bytes>`, and its hash.
pub(crate) fn new_refresh(family: Uuid) -> (String, String) {
    let secret: [u8; 32] = rand::random();
    let token = format!("{}.{}", family.simple(), B64.encode(secret));
    let hash = hash(&token);
    (token, hash)
}

/// The session a refresh token names and the token's hash; `None` when it is not one of ours.
pub(crate) fn parse_refresh(token: &str) -> Option<(Uuid, String)> {
    if token.len() > 128 {
        return None;
    }
    let (family, secret) = token.split_once('.')?;
    let family = Uuid::try_parse(family).ok()?;
    (B64.decode(secret).ok()?.len() == 32).then(|| (family, hash(token)))
}

/// Whether two token hashes are equal, in constant time.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_parse_back_to_their_session() {
        let family = Uuid::now_v7();
        let (token, hash) = new_refresh(family);
        assert_eq!(parse_refresh(&token), Some((family, hash.clone())));
        assert!(same(&hash, &hash));
        assert_eq!(parse_refresh("nope"), None);
        assert_eq!(parse_refresh(&format!("{}.AAAA", family.simple())), None);
    }
}
