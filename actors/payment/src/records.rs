//! The payment records: the bucket `chorus_payment` (each listener's billing
//! and entitlement), the bucket `chorus_payment_idempotency` (replies by
//! idempotency key, 24 h), the stream `chorus_payment_invoices` (one message
//! per invoice: its stream sequence is its number, so numbers have no gaps)
//! and the ledger stream (`ledger.rs`).

use chorus_nats::messages::payment::{PaymentMethod, Subscription};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub(crate) use chorus_nats::records::payment::{entitlement_key, Entitlement, BUCKET};

/// Replies by idempotency key.
pub(crate) const IDEMPOTENCY: &str = "chorus_payment_idempotency";
/// Invoices, one message each on [`INVOICES_SUBJECT`].
pub(crate) const INVOICES: &str = "chorus_payment_invoices";
/// The subject every invoice is published on.
pub(crate) const INVOICES_SUBJECT: &str = "chorus_payment_invoices.issued";

/// The key of `user`'s billing.
pub(crate) fn customer_key(user: Uuid) -> String {
    format!("customer.{user}")
}

/// A kept payment method: what the listener sees, and the gateway's token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredMethod {
    pub(crate) method: PaymentMethod,
    /// The gateway's token for the card.
    pub(crate) token: String,
    /// A digest of the card number: the same card twice is one method.
    pub(crate) fingerprint: String,
}

/// A listener's billing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Customer {
    pub(crate) methods: Vec<StoredMethod>,
    /// The current or last subscription.
    pub(crate) subscription: Option<Subscription>,
    /// While the subscription is `incomplete`, or its renewal's payment waits
    /// (`action_required`): the charge waiting for the listener's confirmation.
    pub(crate) pending_charge: Option<String>,
    /// Invoice numbers, oldest first.
    pub(crate) invoices: Vec<u64>,
    /// Who the invoices are made out to.
    #[serde(default)]
    pub(crate) billing: chorus_nats::messages::payment::BillingDetails,
    /// Raised when the listener gave up a renewal payment that waited for
    /// their confirmation (they chose another card): the next attempt is a
    /// new charge, under a new key (`renewals::renewal_key`).
    #[serde(default)]
    pub(crate) renewal_round: u32,
    /// A `subscription.confirm` of the waiting renewal payment is under way:
    /// it is not given up meanwhile.
    #[serde(default)]
    pub(crate) confirming: bool,
    /// Whether a trial was given (one per listener).
    #[serde(default)]
    pub(crate) trial_used: bool,
    /// When the account closed (what is left is kept for the invoices).
    #[serde(default)]
    pub(crate) closed_at: Option<u64>,
}
