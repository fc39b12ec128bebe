//! `method.add`, `method.list`, `method.remove`, `method.default`: cards,
//! checked at the edge, kept as the gateway's token with the brand, last
//! four digits and expiry; the number is never stored or logged.

use chorus_host::{Fail, RequestCtx};
use chorus_nats::errors::payment as codes;
use chorus_nats::messages::payment::{MethodAdd, PaymentMethod, PaymentMethods, SubscriptionStatus};
use chorus_nats::messages::Empty;
use chorus_nats::ServiceError;
use uuid::Uuid;

use crate::cards::{self, CardInput};
use crate::records::{Customer, StoredMethod};
use crate::refusals;
use crate::state::Payment;

/// Keep a card (the same card again is the method kept already).
pub(crate) async fn add(p: &Payment, ctx: &RequestCtx, req: MethodAdd) -> Result<PaymentMethod, Fail> {
    let user = ctx.caller()?.sub;
    let input = CardInput { number: req.number, exp_month: req.exp_month, exp_year: req.exp_year, cvc: req.cvc };
    let card = cards::check(&input, chorus_nats::clock::now_ms()).map_err(refusals::card)?;
    let fingerprint = p.fingerprint(&card.fingerprint);
    let known = p.customer(user).await?;
    if let Some(kept) = known.methods.iter().find(|m| m.fingerprint == fingerprint) {
        // The card is kept already; asked to be the default, it becomes it.
        return match req.make_default && !kept.method.default {
            true => set_default(p, ctx, kept.method.id).await,
            false => Ok(kept.method.clone()),
        };
    }
    let token = p.gateway.attach(&card).await.map_err(refusals::payment)?;
    let method = PaymentMethod {
        id: Uuid::now_v7(),
        brand: refusals::brand(card.brand).into(),
        last4: card.last4.clone(),
        exp_month: card.exp_month,
        exp_year: card.exp_year,
        default: false,
        added_at: chorus_nats::clock::now_ms(),
    };
    let stored = StoredMethod { method: method.clone(), token, fingerprint: fingerprint.clone() };
    let max = p.config.max_methods;
    let now = p.clock.now();
    let written = p
        .change(user, |mut c| {
            if c.methods.iter().any(|m| m.fingerprint == stored.fingerprint) {
                return Ok(c);
            }
            if c.methods.len() >= max {
                let message = format!("at most {max} payment methods: remove one first");
                return Err(ServiceError::conflict(codes::TOO_MANY_METHODS, message));
            }
            c.methods.push(stored.clone());
            if req.make_default || c.methods.len() == 1 {
                make_default(&mut c, stored.method.id);
                retry_with(&mut c, stored.method.id, now);
            }
            Ok(c)
        })
        .await?;
    let kept = written.methods.iter().find(|m| m.fingerprint == fingerprint).map(|m| m.method.clone());
    Ok(kept.unwrap_or(method))
}

/// The caller's methods, oldest first.
pub(crate) async fn list(p: &Payment, ctx: &RequestCtx) -> Result<PaymentMethods, Fail> {
    let customer = p.customer(ctx.caller()?.sub).await?;
    Ok(PaymentMethods { methods: customer.methods.into_iter().map(|m| m.method).collect() })
}

/// Forget a method; the next oldest becomes the default. The method a live
/// subscription renews with stays until another is the default.
pub(crate) async fn remove(p: &Payment, ctx: &RequestCtx, id: Uuid) -> Result<Empty, Fail> {
    p.change(ctx.caller()?.sub, |mut c| {
        owned(&c, id)?;
        if c.subscription.as_ref().is_some_and(|s| s.method == id && live(s.status)) {
            let message = "your subscription renews with this method: make another the default first";
            return Err(ServiceError::conflict(codes::METHOD_IN_USE, message));
        }
        let was_default = c.methods.iter().any(|m| m.method.id == id && m.method.default);
        c.methods.retain(|m| m.method.id != id);
        if let (true, Some(first)) = (was_default, c.methods.first().map(|m| m.method.id)) {
            make_default(&mut c, first);
        }
        Ok(c)
    })
    .await?;
    Ok(Empty {})
}

/// Renewals charge `id` from now on.
pub(crate) async fn set_default(p: &Payment, ctx: &RequestCtx, id: Uuid) -> Result<PaymentMethod, Fail> {
    let now = p.clock.now();
    let c = p
        .change(ctx.caller()?.sub, |mut c| {
            owned(&c, id)?;
            make_default(&mut c, id);
            retry_with(&mut c, id, now);
            Ok(c)
        })
        .await?;
    Ok(owned(&c, id)?.method.clone())
}

/// The caller's method `id`, or 404.
pub(crate) fn owned(c: &Customer, id: Uuid) -> Result<&StoredMethod, ServiceError> {
    c.methods
        .iter()
        .find(|m| m.method.id == id)
        .ok_or_else(|| ServiceError::not_found(codes::METHOD_NOT_FOUND, format!("no payment method {id}")))
}

/// A new default card for a subscription whose renewal failed: charged at
/// once (the renewal's next step is due now).
fn retry_with(c: &mut Customer, id: Uuid, now: u64) {
    if let Some(s) = c.subscription.as_mut() {
        if matches!(s.status, SubscriptionStatus::PastDue | SubscriptionStatus::Unpaid) {
            s.method = id;
            s.next_attempt_at = Some(now);
        }
    }
}

/// Make `id` the default: the one a live subscription renews with. A
/// renewal payment waiting for confirmation with another card is given up
/// (the next attempt charges `id`, under a new key), unless a confirmation
/// of it is under way: then `id` is the default from the next period.
fn make_default(c: &mut Customer, id: Uuid) {
    for m in &mut c.methods {
        m.method.default = m.method.id == id;
    }
    let confirming = c.confirming;
    let Some(s) = c.subscription.as_mut().filter(|s| live(s.status)) else { return };
    if s.action_required && s.method != id {
        if confirming {
            return;
        }
        s.action_required = false;
        c.pending_charge = None;
        c.renewal_round += 1;
    }
    s.method = id;
}

/// Whether a subscription still charges or may charge.
pub(crate) fn live(status: SubscriptionStatus) -> bool {
    matches!(
        status,
        SubscriptionStatus::Active
            | SubscriptionStatus::Trialing
            | SubscriptionStatus::PastDue
            | SubscriptionStatus::Unpaid
            | SubscriptionStatus::Incomplete
    )
}
