//! The public keys access tokens are verified with (a JSON Web Key Set).

use serde::{Deserialize, Serialize};

/// One Ed25519 public key (an OKP JSON Web Key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKey {
    /// Key id, the `kid` of the tokens it signs.
    pub kid: String,
    /// `OKP`.
    pub kty: String,
    /// `Ed25519`.
    pub crv: String,
    /// `EdDSA`.
    pub alg: String,
    /// The key, base64url without padding.
    pub x: String,
}

/// `key.list` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySet {
    /// Every key a current token may be signed with.
    pub keys: Vec<PublicKey>,
}

/// `key.list` request: no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyList {}
