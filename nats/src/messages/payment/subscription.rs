//! Subscriptions, with Stripe's statuses.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Interval, Invoice};
use crate::messages::auth::Plan;

/// Where a subscription is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    /// The first payment waits for the listener's confirmation (expires after 23 h).
    Incomplete,
    /// The first payment was never confirmed.
    IncompleteExpired,
    /// In a free trial.
    Trialing,
    /// Paid for the current period.
    Active,
    /// A renewal failed; retried on the dunning schedule.
    PastDue,
    /// Ended.
    Canceled,
    /// Every retry of a renewal failed: free until the listener pays.
    Unpaid,
}

/// A listener's subscription. Its price is the plan's when it began: a later
/// price change applies to new subscriptions only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// Its id.
    pub id: Uuid,
    /// The plan's id.
    pub plan: String,
    /// What it entitles to while paid.
    pub tier: Plan,
    /// Status.
    pub status: SubscriptionStatus,
    /// Price per interval, minor units.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// Renewal interval.
    pub interval: Interval,
    /// Start of the period paid for (ms since the Unix epoch).
    pub current_period_start: u64,
    /// End of the period paid for: renewal, or the end, then.
    pub current_period_end: u64,
    /// Ends at `current_period_end` instead of renewing.
    pub cancel_at_period_end: bool,
    /// When it was canceled, if it was.
    #[serde(default)]
    pub canceled_at: Option<u64>,
    /// The method renewals charge.
    pub method: Uuid,
    /// ms since the Unix epoch.
    pub created_at: u64,
    /// While `incomplete`: when it expires.
    #[serde(default)]
    pub incomplete_expires_at: Option<u64>,
    /// Renewal charges that failed in a row (the dunning schedule's step).
    #[serde(default)]
    pub failed_attempts: u32,
    /// While `past_due` (or `unpaid` after a card update): when the renewal is tried again.
    #[serde(default)]
    pub next_attempt_at: Option<u64>,
    /// A downgrade waiting for the period's end: the plan it renews on.
    #[serde(default)]
    pub scheduled_plan: Option<String>,
    /// The renewal's payment waits for the listener's confirmation (their
    /// bank asks for it): `subscription.confirm` pays it.
    #[serde(default)]
    pub action_required: bool,
}

/// `subscription.create` request (needs `Chorus-Idempotency-Key`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionCreate {
    /// A plan id from `plan.list`.
    pub plan: String,
    /// The method to charge; the default one when absent.
    #[serde(default)]
    pub method: Option<Uuid>,
}

/// Reply to `subscription.create` and `subscription.confirm`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionReply {
    /// The subscription as it is now.
    pub subscription: Subscription,
    /// The invoice paid, if a payment went through.
    #[serde(default)]
    pub invoice: Option<Invoice>,
    /// True when the entitlement changed: refresh the session
    /// (`session.refresh`) for an access token with the new plan.
    pub refresh: bool,
}

/// `subscription.change` request (needs `Chorus-Idempotency-Key`): move to
/// another plan. An upgrade is charged now, prorated; a downgrade waits for
/// the period's end (see subjects.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionChange {
    /// A plan id from `plan.list`.
    pub plan: String,
}

/// `subscription.get` request: no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionGet {}

/// `subscription.get` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionView {
    /// The current or last subscription; none if there never was one.
    pub subscription: Option<Subscription>,
    /// What the listener is entitled to now.
    pub entitlement: Plan,
}

/// `subscription.cancel` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionCancel {
    /// End now (the rest of the period is not refunded) instead of at its end.
    #[serde(default)]
    pub now: bool,
}

/// `subscription.resume` request: undo a cancel at period end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionResume {}

/// `subscription.confirm` request: the listener confirmed the first
/// payment (3-D Secure) of an `incomplete` subscription (needs `Chorus-Idempotency-Key`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionConfirm {}
