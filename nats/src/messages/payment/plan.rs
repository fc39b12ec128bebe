//! Plans as data.

use serde::{Deserialize, Serialize};

use crate::messages::auth::Plan;

/// How often a plan renews.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    /// Never: the free plan.
    None,
    /// Every calendar month (30 days here: see subjects.md).
    Month,
    /// Every year (365 days).
    Year,
}

/// A plan a listener can be on, with its price for new subscriptions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricePlan {
    /// Stable id (`premium_monthly`).
    pub id: String,
    /// What listeners read.
    pub name: String,
    /// What it entitles to (the `plan` claim of the access token).
    pub tier: Plan,
    /// Price per interval, in minor units of `currency`.
    pub amount: i64,
    /// ISO 4217 (`EUR`).
    pub currency: String,
    /// Renewal interval.
    pub interval: Interval,
    /// Days free before the first charge (0: none); a listener's first
    /// subscription only, and a payment method must be on file.
    #[serde(default)]
    pub trial_days: u32,
}

/// `plan.list` request: no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanList {}

/// `plan.list` reply: every plan on offer, cheapest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plans {
    /// The plans.
    pub plans: Vec<PricePlan>,
}
