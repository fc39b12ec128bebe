//! A closed account's billing (one instance erases each closure: see
//! `chorus_state::closures`). The subscription ends now, without a refund
//! of the period under way, and nothing renews; the payment methods are
//! forgotten (the simulated gateway keeps nothing for a card, so dropping
//! its token detaches it; a real provider's detach goes here too); the
//! billing details go; the entitlement is purged, and the replies kept for
//! idempotency keys erased.
//!
//! Kept, as the law expects of a seller (invoices are kept for years, e.g.
//! ten in Germany, six in the UK): the invoices, each with the details it
//! was issued with, and the ledger, which names the account only by its id.
//! The billing record keeps the invoice numbers and the ended subscription,
//! so an admin can still answer for them.

use chorus_nats::messages::payment::{BillingDetails, SubscriptionStatus};
use chorus_nats::records::accounts::Closure;

use crate::records::{entitlement_key, Customer};
use crate::state::Payment;

/// Erase `closure`'s billing; a second run changes nothing more.
pub(crate) async fn erase(p: &Payment, closure: Closure) -> anyhow::Result<()> {
    let now = p.clock.now();
    p.change(closure.user, |c| Ok(closed(c, now, closure.closed_at))).await?;
    p.records.purge(&entitlement_key(closure.user)).await?;
    // The replies kept for idempotency (24 h) hold invoices made out to the listener.
    p.keys.records.erase_under(&closure.user.to_string()).await?;
    tracing::info!(user = %closure.user, "billing of a closed account erased");
    Ok(())
}

/// What is kept of `c`.
fn closed(c: Customer, now: u64, closed_at: u64) -> Customer {
    let subscription = c.subscription.map(|mut s| {
        if !matches!(s.status, SubscriptionStatus::Canceled | SubscriptionStatus::IncompleteExpired) {
            s.status = SubscriptionStatus::Canceled;
            s.current_period_end = s.current_period_end.min(now);
            s.canceled_at = Some(now);
        }
        s.cancel_at_period_end = false;
        s.scheduled_plan = None;
        s.next_attempt_at = None;
        s.action_required = false;
        s
    });
    Customer {
        methods: Vec::new(),
        subscription,
        pending_charge: None,
        invoices: c.invoices,
        billing: BillingDetails::default(),
        trial_used: c.trial_used,
        renewal_round: c.renewal_round,
        confirming: false,
        closed_at: Some(c.closed_at.unwrap_or(closed_at)),
    }
}
