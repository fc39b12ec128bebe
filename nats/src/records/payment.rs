//! The payment service's record that others read: each listener's
//! entitlement, which auth puts in the next access token.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::messages::auth::Plan;

/// The bucket: payment writes it, auth reads `entitlement.<user>`.
pub const BUCKET: &str = "chorus_payment";

/// The key of `user`'s entitlement.
pub fn entitlement_key(user: Uuid) -> String {
    format!("entitlement.{user}")
}

/// What a listener is entitled to, and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entitlement {
    /// The plan while it lasts.
    pub plan: Plan,
    /// ms since the Unix epoch; past it the listener is on the free plan.
    pub until_ms: u64,
}

impl Entitlement {
    /// The plan at `now_ms`.
    pub fn at(&self, now_ms: u64) -> Plan {
        if now_ms < self.until_ms {
            self.plan
        } else {
            Plan::Free
        }
    }
}
