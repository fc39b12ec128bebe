//! Account closures: auth appends one message per closed account to the
//! stream `chorus_account_closures`; every service that keeps a listener's
//! data follows it with a durable consumer of its own and erases (or
//! anonymises) what it holds, so an acknowledged closure is carried out even
//! by a service that was down when it happened.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The stream: one message per closed account, kept (the ids of closed
/// accounts, nothing else), so a service started later still erases.
pub const CLOSURES: &str = "chorus_account_closures";

/// The subject of `user`'s closure (the stream's subjects are `chorus_account_closures.*`).
pub fn closure_subject(user: Uuid) -> String {
    format!("{CLOSURES}.{user}")
}

/// One closed account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    /// The account closed.
    pub user: Uuid,
    /// When, ms since the Unix epoch.
    pub closed_at: u64,
}
