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

/// `user.disable` and `user.enable` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRef {
    /// The user.
    pub user_id: Uuid,
}

/// `role.grant` and `role.revoke` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// The user.
    pub user_id: Uuid,
    /// The role.
    pub role: Role,
}
