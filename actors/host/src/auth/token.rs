//! Access tokens: compact JWS (JWT) signed with Ed25519 (`alg: EdDSA`).
//!
//! Written by hand on `ed25519-dalek` (already in the build through nkeys):
//! the format is three base64url parts, and checking `alg` and `kid` before
//! verifying keeps the usual JWT pitfalls (`alg: none`, key confusion) out.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use chorus_nats::messages::auth::Claims;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

/// The only algorithm accepted.
pub const ALG: &str = "EdDSA";

/// Longest token looked at: anything bigger is not ours.
const MAX_TOKEN: usize = 4096;

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    typ: String,
    kid: String,
}

/// Why a token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not three base64url parts of JSON, or not our claims.
    #[error("malformed token")]
    Malformed,
    /// Signed with a key no one published (or one withdrawn).
    #[error("token signed with an unknown key")]
    UnknownKey,
    /// The signature does not match: the token was changed or forged.
    #[error("token signature does not verify")]
    BadSignature,
}

/// Sign `claims` with `key`, naming it `kid`.
pub fn sign(claims: &Claims, kid: &str, key: &SigningKey) -> String {
    let header = Header { alg: ALG.into(), typ: "JWT".into(), kid: kid.into() };
    // Serializing these plain structs cannot fail.
    let header = serde_json::to_vec(&header).unwrap_or_default();
    let payload = serde_json::to_vec(claims).unwrap_or_default();
    let mut token = format!("{}.{}", B64.encode(header), B64.encode(payload));
    let signature = key.sign(token.as_bytes());
    token.push('.');
    token.push_str(&B64.encode(signature.to_bytes()));
    token
}

/// The key id a token names, read before choosing the key to verify with.
pub fn key_id(token: &str) -> Result<String, TokenError> {
    if token.len() > MAX_TOKEN {
        return Err(TokenError::Malformed);
    }
    let header = token.split('.').next().ok_or(TokenError::Malformed)?;
    let header: Header = serde_json::from_slice(&B64.decode(header).map_err(|_| TokenError::Malformed)?)
        .map_err(|_| TokenError::Malformed)?;
    if header.alg != ALG {
        return Err(TokenError::Malformed);
    }
    Ok(header.kid)
}

/// Verify the signature with `key` and decode the claims. Expiry is the caller's.
pub fn verify(token: &str, key: &VerifyingKey) -> Result<Claims, TokenError> {
    let mut parts = token.rsplitn(2, '.');
    let (Some(signature), Some(signed)) = (parts.next(), parts.next()) else {
        return Err(TokenError::Malformed);
    };
    let signature: [u8; 64] =
        B64.decode(signature).map_err(|_| TokenError::Malformed)?.try_into().map_err(|_| TokenError::Malformed)?;
    key.verify_strict(signed.as_bytes(), &Signature::from_bytes(&signature)).map_err(|_| TokenError::BadSignature)?;
    let payload = signed.split('.').nth(1).ok_or(TokenError::Malformed)?;
    serde_json::from_slice(&B64.decode(payload).map_err(|_| TokenError::Malformed)?).map_err(|_| TokenError::Malformed)
}

/// Encode a verifying key for publishing (base64url, no padding).
pub fn encode_key(key: &VerifyingKey) -> String {
    B64.encode(key.as_bytes())
}

/// Decode a published verifying key.
pub fn decode_key(x: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = B64.decode(x).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chorus_nats::messages::auth::{Plan, Role, ISSUER};

    fn claims() -> Claims {
        Claims {
            iss: ISSUER.into(),
            sub: uuid::Uuid::now_v7(),
            name: "ada".into(),
            roles: vec![Role::Listener],
            plan: Plan::Free,
            sid: uuid::Uuid::now_v7(),
            iat: 1,
            exp: 2,
        }
    }

    #[test]
    fn signed_tokens_verify_and_changed_ones_do_not() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let token = sign(&claims(), "k1", &key);
        assert_eq!(key_id(&token).unwrap(), "k1");
        assert_eq!(verify(&token, &key.verifying_key()).unwrap().name, "ada");

        let other = SigningKey::from_bytes(&[8; 32]);
        assert_eq!(verify(&token, &other.verifying_key()), Err(TokenError::BadSignature));

        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        let mut forged = claims();
        forged.roles.push(Role::Admin);
        parts[1] = B64.encode(serde_json::to_vec(&forged).unwrap());
        assert_eq!(verify(&parts.join("."), &key.verifying_key()), Err(TokenError::BadSignature));
        assert_eq!(verify("a.b", &key.verifying_key()), Err(TokenError::Malformed));
        assert_eq!(key_id("!!!.x.y"), Err(TokenError::Malformed));
    }
}
