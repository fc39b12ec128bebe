//! `subscription.create|get|cancel|resume|confirm`: one charge per intent.
//!
//! A create runs once per idempotency key (see `idempotency`), and every id
//! it makes comes from the key's seed: the subscription, the invoice (whose
//! id is also the ledger transaction's and the gateway charge's key). So a
//! run taken over after its instance died repeats each step as a no-op: the
//! gateway returns the same charge, the invoice stream the same number, the
//! ledger refuses a second transaction of that id, and the billing record
//! already holds the subscription.

use chorus_host::{Fail, RequestCtx};
use chorus_nats::errors::payment as codes;
use chorus_nats::messages::auth::Plan;
use chorus_nats::messages::payment::{
    Interval, Invoice, InvoiceLine, PricePlan, Subscription, SubscriptionCreate, SubscriptionReply, SubscriptionStatus,
    SubscriptionView,
};
use chorus_nats::ServiceError;
use uuid::Uuid;

use crate::billing::Bill;
use crate::gateway::{Charge, ChargeStatus};
use crate::idempotency::Seed;
use crate::methods::{live, owned};
use crate::records::{Customer, Entitlement};
use crate::refusals;
use crate::state::Payment;

/// Length of a period: a month is 30 days, a year 365 (subjects.md says so).
pub(crate) fn period_ms(interval: Interval) -> u64 {
    const DAY: u64 = 24 * 3600 * 1000;
    match interval {
        Interval::None => 0,
        Interval::Month => 30 * DAY,
        Interval::Year => 365 * DAY,
    }
}

/// Subscribe to a plan, paying its first period now.
pub(crate) async fn create(p: &Payment, ctx: &RequestCtx, req: SubscriptionCreate) -> Result<SubscriptionReply, Fail> {
    let user = ctx.caller()?.sub;
    p.keys.once(ctx, user, &req, true, |seed| subscribe(p, user, req.clone(), seed)).await
}

async fn subscribe(p: &Payment, user: Uuid, req: SubscriptionCreate, seed: Seed) -> Result<SubscriptionReply, Fail> {
    let plan = p.paid_plan(&req.plan, "the free plan needs no subscription")?;
    let (id, invoice_id) = (seed.id(0), seed.id(1));
    let customer = p.customer(user).await?;
    if let Some(s) = customer.subscription.as_ref().filter(|s| s.id == id) {
        // This run is a repeat of one that got as far as the record.
        return Ok(SubscriptionReply { subscription: s.clone(), invoice: None, refresh: false });
    }
    let now = p.clock.now();
    if customer.subscription.clone().map(|s| expired(s, now)).is_some_and(|s| live(s.status)) {
        let message = "you have a subscription: cancel it or change its plan";
        return Err(ServiceError::conflict(codes::ALREADY_SUBSCRIBED, message).into());
    }
    let method = match req.method {
        Some(id) => owned(&customer, id)?.clone(),
        None => customer
            .methods
            .iter()
            .find(|m| m.method.default)
            .cloned()
            .ok_or_else(|| ServiceError::bad_request(codes::NO_PAYMENT_METHOD, "add a payment method first"))?,
    };
    if plan.trial_days > 0 && !customer.trial_used {
        return start_trial(p, user, new_subscription(id, &plan, method.method.id, now), plan.trial_days).await;
    }
    let charge = p
        .gateway
        .charge(&method.token, plan.amount, &plan.currency, &invoice_id.to_string())
        .await
        .map_err(refusals::payment)?;
    let mut subscription = new_subscription(id, &plan, method.method.id, now);
    if charge.status == ChargeStatus::RequiresAction {
        subscription.status = SubscriptionStatus::Incomplete;
        subscription.incomplete_expires_at = Some(now + p.config.incomplete_ttl_ms);
        let pending = charge.id.clone();
        let s = subscription.clone();
        p.change(user, move |c| {
            Ok(Customer { subscription: Some(s.clone()), pending_charge: Some(pending.clone()), ..c })
        })
        .await?;
        return Ok(SubscriptionReply { subscription, invoice: None, refresh: false });
    }
    let invoice = settle(p, user, &subscription, invoice_id, &charge, &plan).await?;
    Ok(SubscriptionReply { subscription, invoice: Some(invoice), refresh: true })
}

/// The listener's first subscription to a plan with a trial: nothing is
/// charged now; the renewal at the trial's end charges the first period.
async fn start_trial(p: &Payment, user: Uuid, s: Subscription, days: u32) -> Result<SubscriptionReply, Fail> {
    let s = Subscription {
        status: SubscriptionStatus::Trialing,
        current_period_end: s.current_period_start + u64::from(days) * 24 * 3600 * 1000,
        ..s
    };
    let written = s.clone();
    p.change(user, move |c| {
        if c.trial_used {
            // Another request began a trial meanwhile (another idempotency key).
            let message = "you have had a trial; subscribe again to pay now";
            return Err(ServiceError::conflict(codes::ALREADY_SUBSCRIBED, message));
        }
        Ok(Customer { subscription: Some(written.clone()), trial_used: true, ..c })
    })
    .await?;
    p.entitle(user, Entitlement { plan: s.tier, until_ms: s.current_period_end }).await?;
    Ok(SubscriptionReply { subscription: s, invoice: None, refresh: true })
}

fn new_subscription(id: Uuid, plan: &PricePlan, method: Uuid, now: u64) -> Subscription {
    Subscription {
        id,
        plan: plan.id.clone(),
        tier: plan.tier,
        status: SubscriptionStatus::Active,
        amount: plan.amount,
        currency: plan.currency.clone(),
        interval: plan.interval,
        current_period_start: now,
        current_period_end: now + period_ms(plan.interval),
        cancel_at_period_end: false,
        canceled_at: None,
        method,
        created_at: now,
        incomplete_expires_at: None,
        failed_attempts: 0,
        next_attempt_at: None,
        scheduled_plan: None,
        action_required: false,
    }
}

/// A payment went through: the invoice, the ledger, the billing record, the
/// entitlement, in that order (each a no-op when repeated).
async fn settle(
    p: &Payment,
    user: Uuid,
    subscription: &Subscription,
    invoice_id: Uuid,
    charge: &Charge,
    plan: &PricePlan,
) -> Result<Invoice, Fail> {
    let lines = vec![InvoiceLine { description: format!("{}, one period", plan.name), amount: charge.amount }];
    let bill = Bill { id: invoice_id, user, subscription: subscription.id, lines, proration: false, at: p.clock.now() };
    let invoice = p.bill(bill, charge).await?;
    let (s, number) = (
        Subscription { status: SubscriptionStatus::Active, incomplete_expires_at: None, ..subscription.clone() },
        invoice.number,
    );
    p.change(user, move |mut c| {
        c.subscription = Some(s.clone());
        c.pending_charge = None;
        if !c.invoices.contains(&number) {
            c.invoices.push(number);
        }
        Ok(c)
    })
    .await?;
    p.entitle(user, Entitlement { plan: subscription.tier, until_ms: subscription.current_period_end }).await?;
    Ok(invoice)
}

/// The listener confirmed the first payment of an `incomplete` subscription,
/// or a renewal's payment that waits for them (`confirmations`).
pub(crate) async fn confirm(
    p: &Payment,
    ctx: &RequestCtx,
    req: chorus_nats::messages::payment::SubscriptionConfirm,
) -> Result<SubscriptionReply, Fail> {
    let user = ctx.caller()?.sub;
    p.keys
        .once(ctx, user, &req, true, |_| async move {
            let c = p.customer(user).await?;
            let (Some(s), Some(pending)) = (c.subscription.clone(), c.pending_charge.clone()) else {
                return Err(invalid_state("there is no payment waiting for confirmation"));
            };
            if s.action_required && matches!(s.status, SubscriptionStatus::PastDue | SubscriptionStatus::Unpaid) {
                return crate::confirmations::confirm(p, user, c, s, pending).await;
            }
            let now = p.clock.now();
            if s.status != SubscriptionStatus::Incomplete || s.incomplete_expires_at.is_some_and(|at| now >= at) {
                return Err(invalid_state("the subscription is not waiting for confirmation (or it expired)"));
            }
            let charge = p.gateway.confirm(&pending).await.map_err(refusals::payment)?;
            let plan = p.config.plan(&s.plan).cloned().unwrap_or_else(|| PricePlan {
                id: s.plan.clone(),
                name: s.plan.clone(),
                tier: s.tier,
                amount: s.amount,
                currency: s.currency.clone(),
                interval: s.interval,
                trial_days: 0,
            });
            // The period starts when the payment went through.
            let s = Subscription { current_period_start: now, current_period_end: now + period_ms(s.interval), ..s };
            let invoice_id = crate::idempotency::derived_id(&pending);
            let invoice = settle(p, user, &s, invoice_id, &charge, &plan).await?;
            let s = Subscription { status: SubscriptionStatus::Active, incomplete_expires_at: None, ..s };
            Ok(SubscriptionReply { subscription: s, invoice: Some(invoice), refresh: true })
        })
        .await
}

/// The caller's subscription and entitlement.
pub(crate) async fn get(p: &Payment, ctx: &RequestCtx) -> Result<SubscriptionView, Fail> {
    let user = ctx.caller()?.sub;
    let c = p.customer(user).await?;
    Ok(SubscriptionView {
        subscription: c.subscription.map(|s| expired(s, p.clock.now())),
        entitlement: p.entitlement(user).await?,
    })
}

/// An incomplete subscription past its expiry reads as expired.
fn expired(s: Subscription, now: u64) -> Subscription {
    match s.incomplete_expires_at {
        Some(at) if s.status == SubscriptionStatus::Incomplete && now >= at => {
            Subscription { status: SubscriptionStatus::IncompleteExpired, ..s }
        }
        _ => s,
    }
}

/// End at the period's end (the listener keeps what they paid for), or now.
pub(crate) async fn cancel(p: &Payment, ctx: &RequestCtx, now: bool) -> Result<Subscription, Fail> {
    let user = ctx.caller()?.sub;
    let at = p.clock.now();
    let c = p
        .change(user, |mut c| {
            let s = c.subscription.as_mut().filter(|s| live(s.status)).ok_or_else(no_subscription)?;
            if now || s.status == SubscriptionStatus::Incomplete {
                s.status = SubscriptionStatus::Canceled;
                s.current_period_end = s.current_period_end.min(at);
            } else {
                s.cancel_at_period_end = true;
            }
            s.canceled_at = Some(at);
            c.pending_charge = None;
            Ok(c)
        })
        .await?;
    let s = c.subscription.ok_or_else(no_subscription)?;
    if s.status == SubscriptionStatus::Canceled {
        p.entitle(user, Entitlement { plan: Plan::Free, until_ms: 0 }).await?;
    }
    Ok(s)
}

/// Undo a cancel at the period's end, before the period ends.
pub(crate) async fn resume(p: &Payment, ctx: &RequestCtx) -> Result<Subscription, Fail> {
    let at = p.clock.now();
    let c = p
        .change(ctx.caller()?.sub, |mut c| {
            let s = c.subscription.as_mut().filter(|s| live(s.status)).ok_or_else(no_subscription)?;
            if !s.cancel_at_period_end || at >= s.current_period_end {
                return Err(ServiceError::conflict(codes::INVALID_STATE, "the subscription is not set to end"));
            }
            s.cancel_at_period_end = false;
            s.canceled_at = None;
            Ok(c)
        })
        .await?;
    c.subscription.ok_or_else(|| no_subscription().into())
}

fn no_subscription() -> ServiceError {
    ServiceError::not_found(codes::NO_SUBSCRIPTION, "you have no subscription")
}

fn invalid_state(message: &str) -> Fail {
    ServiceError::conflict(codes::INVALID_STATE, message.to_string()).into()
}
