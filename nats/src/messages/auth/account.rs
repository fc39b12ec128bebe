//! Accounts: registration and what a user looks like on the wire.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Plan, Role};

/// `user.register` request.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Register {
    /// 3 to 32 of `[a-z0-9_.-]`, unique ignoring case.
    pub username: String,
    /// A well-formed address.
    pub email: String,
    /// At least 10 characters, not a common password.
    pub password: String,
}

impl std::fmt::Debug for Register {
    // Never print a password, not even in a debug log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Register").field("username", &self.username).field("email", &self.email).finish()
    }
}

/// A user as the wire shows it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Stable id (uuid v7).
    pub id: Uuid,
    /// As registered (lower-case).
    pub username: String,
    /// As registered.
    pub email: String,
    /// Roles held.
    pub roles: Vec<Role>,
    /// Plan tier.
    pub plan: Plan,
    /// Whether an admin has disabled the account.
    pub disabled: bool,
    /// Registered at, ms since the Unix epoch.
    pub created_at: u64,
}

/// `password.change` request.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    /// The password in use.
    pub current_password: String,
    /// The new one (same rules as at registration).
    pub new_password: String,
}

impl std::fmt::Debug for ChangePassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangePassword { .. }")
    }
}

/// `user.me` request: no fields (the caller is the token's user).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserMe {}

/// `account.close` request: the listener's own password, asked again.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountClose {
    /// The password in use.
    pub password: String,
}

impl std::fmt::Debug for AccountClose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccountClose { .. }")
    }
}

/// `account.close` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountClosed {
    /// When the account closed, ms since the Unix epoch.
    pub closed_at: u64,
}
