//! A renewal whose payment the listener's bank wants confirmed (the
//! `3184` test card, 3-D Secure): the renewal counts it as a failed attempt
//! (`past_due`, the dunning schedule goes on) with `action_required`, and
//! keeps the charge waiting. `subscription.confirm` pays it; the dunning
//! retries replay the same charge (one key), so a payment confirmed between
//! two retries is taken once. Choosing another card gives the waiting payment
//! up (`methods::make_default`), unless a confirmation is under way.

use chorus_host::Fail;
use chorus_nats::errors::payment as codes;
use chorus_nats::messages::payment::{Subscription, SubscriptionReply};
use chorus_nats::ServiceError;
use uuid::Uuid;

use crate::records::{Customer, Entitlement};
use crate::refusals;
use crate::renewals::{renewal_key, renewed};
use crate::state::Payment;

/// Pay the renewal of `s` that waits for confirmation (`pending`, from `c`).
pub(crate) async fn confirm(
    p: &Payment,
    user: Uuid,
    c: Customer,
    s: Subscription,
    pending: String,
) -> Result<SubscriptionReply, Fail> {
    let key = renewal_key(&s, c.renewal_round);
    let (id, end) = (s.id, s.current_period_end);
    let same = move |c: &Customer| c.subscription.as_ref().is_some_and(|x| x.id == id && x.current_period_end == end);
    // Marked first: the waiting payment is not given up while it is confirmed.
    let waiting = pending.clone();
    p.change(user, move |mut c| {
        let still = same(&c) && c.subscription.as_ref().is_some_and(|x| x.action_required);
        if !still || c.pending_charge.as_deref() != Some(waiting.as_str()) {
            let message = "the renewal's payment no longer waits for confirmation";
            return Err(ServiceError::conflict(codes::INVALID_STATE, message));
        }
        c.confirming = true;
        Ok(c)
    })
    .await?;
    let charge = p.gateway.confirm(&pending).await.map_err(refusals::payment)?;
    let (next, invoice) = renewed(p, user, &s, &charge, &key, p.clock.now()).await?;
    let (written, number) = (next.clone(), invoice.number);
    let c = p
        .change(user, move |mut c| {
            // A dunning retry may have replayed the confirmed charge first: the same period, kept.
            if same(&c) {
                c.subscription = Some(written.clone());
            }
            (c.pending_charge, c.confirming) = (None, false);
            if !c.invoices.contains(&number) {
                c.invoices.push(number);
            }
            Ok(c)
        })
        .await?;
    let s = c.subscription.unwrap_or(next);
    p.entitle(user, Entitlement { plan: s.tier, until_ms: s.current_period_end }).await?;
    Ok(SubscriptionReply { subscription: s, invoice: Some(invoice), refresh: true })
}
