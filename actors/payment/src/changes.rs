//! `subscription.change`: another plan. An upgrade (a longer interval, or a
//! higher price at the same interval) is charged now, the unused part of the
//! current period credited to the second; a downgrade waits for the
//! period's end (`scheduled_plan`), when the renewal switches plan.

use chorus_host::{Fail, RequestCtx};
use chorus_nats::errors::payment as codes;
use chorus_nats::messages::payment::{
    Interval, InvoiceLine, PricePlan, Subscription, SubscriptionChange, SubscriptionReply, SubscriptionStatus,
};
use chorus_nats::ServiceError;
use uuid::Uuid;

use crate::billing::Bill;
use crate::gateway::ChargeStatus;
use crate::idempotency::Seed;
use crate::records::Entitlement;
use crate::refusals;
use crate::state::Payment;
use crate::subscriptions::period_ms;

/// Whether moving from `from` to `to` is an upgrade (charged now).
pub(crate) fn upgrade(from: &Subscription, to: &PricePlan) -> bool {
    let rank = |i: Interval| match i {
        Interval::None => 0,
        Interval::Month => 1,
        Interval::Year => 2,
    };
    rank(to.interval) > rank(from.interval) || (to.interval == from.interval && to.amount > from.amount)
}

/// The unused part of `s`'s period at `now`, in minor units, to the second, rounded down.
pub(crate) fn unused_credit(s: &Subscription, now: u64) -> i64 {
    let total_s = s.current_period_end.saturating_sub(s.current_period_start) / 1000;
    let unused_s = s.current_period_end.saturating_sub(now) / 1000;
    if total_s == 0 {
        return 0;
    }
    let credit = i128::from(s.amount) * i128::from(unused_s.min(total_s)) / i128::from(total_s);
    i64::try_from(credit).unwrap_or(0)
}

/// Change the caller's plan.
pub(crate) async fn change(p: &Payment, ctx: &RequestCtx, req: SubscriptionChange) -> Result<SubscriptionReply, Fail> {
    let user = ctx.caller()?.sub;
    p.keys.once(ctx, user, &req, true, |seed| change_once(p, user, req.clone(), seed)).await
}

async fn change_once(p: &Payment, user: Uuid, req: SubscriptionChange, seed: Seed) -> Result<SubscriptionReply, Fail> {
    let plan = p.paid_plan(&req.plan, "to go back to free, cancel the subscription")?;
    let customer = p.customer(user).await?;
    let s = customer
        .subscription
        .clone()
        .ok_or_else(|| ServiceError::not_found(codes::NO_SUBSCRIPTION, "you have no subscription"))?;
    if s.status != SubscriptionStatus::Active {
        return Err(ServiceError::conflict(codes::INVALID_STATE, "only an active subscription changes plan").into());
    }
    let invoice_id = seed.id(1);
    if s.plan == plan.id && s.scheduled_plan.is_none() {
        return Err(ServiceError::bad_request(codes::SAME_PLAN, format!("you are on {} already", plan.id)).into());
    }
    let now = p.clock.now();
    if s.plan == plan.id || !upgrade(&s, &plan) {
        // A downgrade (or undoing one): at the period's end.
        let scheduled = (s.plan != plan.id).then(|| plan.id.clone());
        let next = Subscription { scheduled_plan: scheduled, ..s.clone() };
        let written = next.clone();
        p.change(user, move |mut c| {
            if c.subscription.as_ref().is_some_and(|cur| cur.id == written.id) {
                c.subscription = Some(written.clone());
            }
            Ok(c)
        })
        .await?;
        return Ok(SubscriptionReply { subscription: next, invoice: None, refresh: false });
    }
    let method = customer
        .methods
        .iter()
        .find(|m| m.method.id == s.method)
        .ok_or_else(|| ServiceError::bad_request(codes::NO_PAYMENT_METHOD, "add a payment method first"))?;
    let credit = unused_credit(&s, now);
    let amount = (plan.amount - credit).max(0);
    let mut lines = vec![InvoiceLine { description: format!("{}, from now", plan.name), amount: plan.amount }];
    if credit > 0 {
        let name = p.config.plan(&s.plan).map_or(s.plan.clone(), |plan| plan.name.clone());
        lines.push(InvoiceLine { description: format!("Unused time on {name}"), amount: -credit });
    }
    let next = Subscription {
        plan: plan.id.clone(),
        tier: plan.tier,
        amount: plan.amount,
        currency: plan.currency.clone(),
        interval: plan.interval,
        current_period_start: now,
        current_period_end: now + period_ms(plan.interval),
        scheduled_plan: None,
        cancel_at_period_end: false,
        ..s.clone()
    };
    let mut invoice = None;
    if amount > 0 {
        let charge = p
            .gateway
            .charge(&method.token, amount, &plan.currency, &invoice_id.to_string())
            .await
            .map_err(refusals::payment)?;
        if charge.status != ChargeStatus::Succeeded {
            let message = "this card needs a confirmation the plan change cannot ask for: use another card";
            return Err(ServiceError::new(chorus_nats::Status::PaymentRequired, codes::CARD_DECLINED, message).into());
        }
        let bill = Bill { id: invoice_id, user, subscription: s.id, lines, proration: true, at: now };
        invoice = Some(p.bill(bill, &charge).await?);
    }
    let (written, number) = (next.clone(), invoice.as_ref().map(|i| i.number));
    p.change(user, move |mut c| {
        if c.subscription.as_ref().is_some_and(|cur| cur.id == written.id) {
            c.subscription = Some(written.clone());
        }
        if let Some(n) = number.filter(|n| !c.invoices.contains(n)) {
            c.invoices.push(n);
        }
        Ok(c)
    })
    .await?;
    p.entitle(user, Entitlement { plan: next.tier, until_ms: next.current_period_end }).await?;
    Ok(SubscriptionReply { subscription: next, invoice, refresh: true })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chorus_nats::messages::auth::Plan;

    fn monthly(start: u64) -> Subscription {
        Subscription {
            id: Uuid::nil(),
            plan: "premium_monthly".into(),
            tier: Plan::Premium,
            status: SubscriptionStatus::Active,
            amount: 999,
            currency: "EUR".into(),
            interval: Interval::Month,
            current_period_start: start,
            current_period_end: start + period_ms(Interval::Month),
            cancel_at_period_end: false,
            canceled_at: None,
            method: Uuid::nil(),
            created_at: start,
            incomplete_expires_at: None,
            failed_attempts: 0,
            next_attempt_at: None,
            scheduled_plan: None,
            action_required: false,
        }
    }

    fn plan(amount: i64, interval: Interval) -> PricePlan {
        PricePlan {
            id: "p".into(),
            name: "P".into(),
            tier: Plan::Premium,
            amount,
            currency: "EUR".into(),
            interval,
            trial_days: 0,
        }
    }

    #[test]
    fn the_unused_part_is_prorated_to_the_second_rounded_down() {
        let s = monthly(1_000_000);
        assert_eq!(unused_credit(&s, s.current_period_start), 999);
        assert_eq!(unused_credit(&s, s.current_period_end), 0);
        // 20 of 30 days left: 666; a second less: 665 (999 × 1,727,999 ÷ 2,592,000).
        let ten_days = 10 * 24 * 3600 * 1000;
        assert_eq!(unused_credit(&s, s.current_period_start + ten_days), 666);
        assert_eq!(unused_credit(&s, s.current_period_start + ten_days + 1), 665);
        assert_eq!(unused_credit(&s, s.current_period_end + 5), 0);
    }

    #[test]
    fn upgrades_are_longer_or_dearer_at_the_same_interval() {
        let s = monthly(0);
        assert!(upgrade(&s, &plan(9_990, Interval::Year)));
        assert!(upgrade(&s, &plan(1_499, Interval::Month)));
        assert!(!upgrade(&s, &plan(499, Interval::Month)));
        let yearly = Subscription { interval: Interval::Year, amount: 9_990, ..s };
        assert!(!upgrade(&yearly, &plan(999, Interval::Month)));
    }
}
