//! The `[payment]` configuration section.

use chorus_nats::messages::auth::Plan;
use chorus_nats::messages::payment::{Interval, PricePlan};
use serde::Deserialize;

/// Payment settings (`CHORUS_PAYMENT__<KEY>`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct PaymentConfig {
    /// JetStream replicas of the bucket, the ledger and the invoices.
    pub replicas: usize,
    /// The plans on offer. A price change applies to new subscriptions;
    /// existing ones keep the price they began with.
    pub plans: Vec<PricePlan>,
    /// Payment methods a listener may keep.
    pub max_methods: usize,
    /// How long an idempotency key's reply is replayed.
    pub idempotency_ttl_s: u64,
    /// How long a request with an idempotency key may run before another
    /// instance takes it over (its instance died mid-way).
    pub idempotency_lease_ms: u64,
    /// How long an `incomplete` subscription waits for its confirmation.
    pub incomplete_ttl_ms: u64,
    /// Key of the card fingerprints kept (the same card twice is one
    /// method): set it per deployment, the same on every instance.
    pub fingerprint_key: chorus_host::Secret,
    /// Whether `clock.advance` may move the service's clock (tests, demos; never in production).
    pub test_clock: bool,
    /// How often each instance looks for due renewals.
    pub renewal_tick_ms: u64,
    /// How long a renewal may go unacknowledged before another instance
    /// takes it (its instance died mid-way).
    pub renewal_ack_wait_ms: u64,
}

impl Default for PaymentConfig {
    fn default() -> Self {
        let plan = |id: &str, name: &str, tier, amount, interval| PricePlan {
            id: id.into(),
            name: name.into(),
            tier,
            amount,
            currency: "EUR".into(),
            interval,
            trial_days: 0,
        };
        Self {
            replicas: 1,
            plans: vec![
                plan("free", "Free", Plan::Free, 0, Interval::None),
                plan("premium_monthly", "Premium, monthly", Plan::Premium, 999, Interval::Month),
                plan("premium_yearly", "Premium, yearly", Plan::Premium, 9_990, Interval::Year),
            ],
            max_methods: 10,
            idempotency_ttl_s: 24 * 3600,
            idempotency_lease_ms: 30_000,
            incomplete_ttl_ms: 23 * 3600 * 1000,
            fingerprint_key: chorus_host::Secret::from("chorus-dev-card-fingerprint-key".to_string()),
            test_clock: false,
            renewal_tick_ms: 1_000,
            renewal_ack_wait_ms: 30_000,
        }
    }
}

impl PaymentConfig {
    /// The plan `id`, if on offer.
    pub(crate) fn plan(&self, id: &str) -> Option<&PricePlan> {
        self.plans.iter().find(|p| p.id == id)
    }
}
