//! Sessions: login, refresh, logout.

use serde::{Deserialize, Serialize};

use super::User;

/// `session.login` request.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// Any case.
    pub username: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login").field("username", &self.username).finish()
    }
}

/// `session.refresh` request: new tokens for the session (rotated).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshToken {
    /// The refresh token last issued for the session.
    pub refresh_token: String,
}

impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshToken { .. }")
    }
}

/// `session.logout` request: end the session.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Logout {
    /// The refresh token last issued for the session.
    pub refresh_token: String,
}

impl std::fmt::Debug for Logout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Logout { .. }")
    }
}

/// Reply to login and refresh: a new pair of tokens.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Bearer token for every service (EdDSA JWT), short-lived.
    pub access_token: String,
    /// When the access token expires, seconds since the Unix epoch: refresh before.
    pub expires_at: u64,
    /// Opaque; good for one refresh (a reused one ends the session).
    pub refresh_token: String,
    /// The signed-in user.
    pub user: User,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("expires_at", &self.expires_at).field("user", &self.user).finish()
    }
}
