//! What an access token says about its bearer.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Issuer of every Chorus access token.
pub const ISSUER: &str = "chorus-auth";

/// A role a user holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Every user: listens, keeps playlists.
    Listener,
    /// Operates Chorus: manages users and the catalog.
    Admin,
}

/// A plan tier: what a listener may stream (the payment service sets it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    /// No subscription.
    #[default]
    Free,
    /// A paid subscription.
    Premium,
}

/// The claims of an access token (the payload of an EdDSA JWT).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Always [`ISSUER`].
    pub iss: String,
    /// The user id.
    pub sub: Uuid,
    /// The username, for display and logs.
    pub name: String,
    /// The user's roles when the token was issued.
    pub roles: Vec<Role>,
    /// The user's plan tier when the token was issued.
    #[serde(default)]
    pub plan: Plan,
    /// The session (refresh-token family) the token belongs to.
    pub sid: Uuid,
    /// Issued at, seconds since the Unix epoch.
    pub iat: u64,
    /// Expires at, seconds since the Unix epoch.
    pub exp: u64,
}

impl Claims {
    /// Whether the bearer holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}
