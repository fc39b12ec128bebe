//! Admin operations on users.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Role, User};

/// `user.list` request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserList {
    /// From a previous page's `next`.
    #[serde(default)]
    pub cursor: Option<String>,
    /// 1..=500, 50 when absent.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// `user.list` reply: users by username.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    /// This page.
    pub users: Vec<User>,
    /// The cursor of the next page, none at the end.
    pub next: Option<String>,
}

/// `user.disable` request: lock a user out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserDisable {
    /// The user.
    pub user_id: Uuid,
}

/// `user.enable` request: let a disabled user back in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserEnable {
    /// The user.
    pub user_id: Uuid,
}

/// `role.grant` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleGrant {
    /// The user.
    pub user_id: Uuid,
    /// The role.
    pub role: Role,
}

/// `role.revoke` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleRevoke {
    /// The user.
    pub user_id: Uuid,
    /// The role.
    pub role: Role,
}
