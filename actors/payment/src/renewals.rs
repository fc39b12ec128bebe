//! Renewals and dunning: at a subscription's period end one instance charges
//! the next period; a failed renewal is retried on the dunning schedule and
//! ends `unpaid`.
//!
//! Every instance follows the bucket into [`Due`] (when each listener's
//! subscription has its next step) and, on its tick, puts what is due on the
//! work queue `chorus_payment_jobs` with a message id of the subscription
//! and the step, so the instances' copies of one step are one job. The
//! queue's shared consumer gives each job to one instance, and an instance
//! that dies mid-job leaves it to another after the ack wait. The job's
//! charge key, invoice id and ledger transaction id all come from the
//! subscription and the period, so a renewal finished by a second instance
//! repeats nothing the first did: one charge per period.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_nats::jetstream::message::PublishMessage;
use chorus_nats::messages::auth::Plan;
use chorus_nats::messages::payment::{InvoiceLine, Subscription, SubscriptionStatus};
use chorus_nats::Encoding;
use chorus_state::jobs::{Job, JobQueue};
use chorus_state::{Change, Projection, View};
use futures::future::BoxFuture;
use ractor::{Actor, ActorProcessingErr, ActorRef};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::billing::Bill;
use crate::gateway::{ChargeStatus, GatewayError};
use crate::idempotency::derived_id;
use crate::records::{Customer, Entitlement};
use crate::state::Payment;
use crate::subscriptions::period_ms;

/// The work queue.
pub(crate) const JOBS: &str = "chorus_payment_jobs";
/// Where renewal steps are put.
const RENEW_SUBJECT: &str = "chorus_payment_jobs.renew";
/// Retries of a failed renewal, in days after the period's end; then `unpaid`.
pub(crate) const DUNNING_DAYS: [u64; 3] = [1, 3, 5];
/// A retry is never sooner than this after the last try.
const MIN_RETRY_MS: u64 = 3600 * 1000;
const DAY_MS: u64 = 24 * 3600 * 1000;

/// The queue renewals go through.
pub(crate) fn queue(replicas: usize, ack_wait: Duration) -> JobQueue {
    JobQueue {
        stream: JOBS.into(),
        subjects: vec![format!("{JOBS}.>")],
        durable: "payment-renewals".into(),
        ack_wait,
        retry_delay: Duration::from_secs(1),
        replicas,
        retention: async_nats::jetstream::stream::RetentionPolicy::WorkQueue,
        max_ack_pending: 0,
    }
}

/// One renewal step.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Step {
    user: Uuid,
    subscription: Uuid,
    due_at: u64,
}

/// When a subscription's next step (renew, retry, end) is due.
pub(crate) fn due_at(s: &Subscription) -> Option<u64> {
    match s.status {
        SubscriptionStatus::Active | SubscriptionStatus::Trialing => Some(s.current_period_end),
        SubscriptionStatus::PastDue | SubscriptionStatus::Unpaid => s.next_attempt_at,
        SubscriptionStatus::Incomplete => s.incomplete_expires_at,
        _ => None,
    }
}

/// Every listener's next step, by when it is due.
#[derive(Default)]
pub(crate) struct Due {
    index: Mutex<DueIndex>,
}

#[derive(Default)]
struct DueIndex {
    by_user: HashMap<Uuid, (u64, Uuid)>,
    queue: BTreeSet<(u64, Uuid)>,
    /// Steps this instance queued lately, by user: not queued again each
    /// tick while they wait for a worker (the queue would drop the copies,
    /// but only after they were sent).
    queued: HashMap<Uuid, (u64, Instant)>,
}

impl Due {
    fn set(&self, user: Uuid, next: Option<(u64, Uuid)>) {
        let mut index = self.index.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, _)) = index.by_user.remove(&user) {
            index.queue.remove(&(at, user));
        }
        index.queued.remove(&user);
        if let Some((at, subscription)) = next {
            index.by_user.insert(user, (at, subscription));
            index.queue.insert((at, user));
        }
    }

    /// The steps due at `now` not queued in the last [`REQUEUE`], at most
    /// `limit`; they count as queued from now.
    fn due(&self, now: u64, limit: usize) -> Vec<Step> {
        let mut index = self.index.lock().unwrap_or_else(|p| p.into_inner());
        let DueIndex { by_user, queue, queued } = &mut *index;
        let steps: Vec<Step> = queue
            .iter()
            .take_while(|(at, _)| *at <= now)
            .filter(|(at, user)| !queued.get(user).is_some_and(|(q, when)| q == at && when.elapsed() < REQUEUE))
            .take(limit)
            .filter_map(|(at, user)| {
                let (_, subscription) = by_user.get(user)?;
                Some(Step { user: *user, subscription: *subscription, due_at: *at })
            })
            .collect();
        for step in &steps {
            queued.insert(step.user, (step.due_at, Instant::now()));
        }
        steps
    }
}

impl Projection for Due {
    fn apply<'a>(&'a self, _: &'a View, changes: Vec<Change>, _: u64) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            for change in changes {
                let Some(user) = change.key.strip_prefix("customer.").and_then(|u| Uuid::parse_str(u).ok()) else {
                    continue;
                };
                let next = change
                    .decode::<Customer>()
                    .and_then(|c| c.subscription)
                    .and_then(|s| due_at(&s).map(|at| (at, s.id)));
                self.set(user, next);
            }
            Ok(())
        })
    }

    fn restore<'a>(&'a self, _: &'a View) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

/// How long a queued step is left to the queue before it is queued again
/// (within the jobs stream's 2-minute duplicate window, so a copy is dropped).
const REQUEUE: Duration = Duration::from_secs(60);

/// Steps put on the queue per tick, at most.
const PER_TICK: usize = 2_000;
/// Publishes awaited together.
const BATCH: usize = 256;

/// Put every due step on the queue (the other instances' copies are the same message).
async fn sweep(p: &Payment, due: &Due) -> anyhow::Result<usize> {
    p.clock.refresh().await?;
    let steps = due.due(p.clock.now(), PER_TICK);
    // In batches: the connection's publishes waiting for an ack are bounded,
    // and the renewals themselves publish on it too.
    for batch in steps.chunks(BATCH) {
        let mut acks = Vec::with_capacity(batch.len());
        for step in batch {
            let payload = Encoding::MsgPack.encode(step).context("encoding a renewal")?;
            let id = format!("renew.{}.{}", step.subscription, step.due_at);
            let publish = PublishMessage::build().payload(payload).message_id(id);
            acks.push(p.js.send_publish(RENEW_SUBJECT, publish).await.context("queueing a renewal")?);
        }
        for ack in acks {
            ack.await.context("renewal queued")?;
        }
    }
    Ok(steps.len())
}

/// The supervised sweeper of one instance.
pub(crate) struct Sweeper;

/// Sweep now.
pub(crate) struct Tick;

impl Actor for Sweeper {
    type Msg = Tick;
    type State = (Arc<Payment>, Arc<Due>, Duration);
    type Arguments = (Arc<Payment>, Arc<Due>, Duration);

    async fn pre_start(
        &self,
        myself: ActorRef<Tick>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        myself.cast(Tick)?;
        Ok(args)
    }

    async fn handle(
        &self,
        myself: ActorRef<Tick>,
        _: Tick,
        (p, due, tick): &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        if let Err(e) = sweep(p, due).await {
            tracing::warn!(error = %e, "queueing renewals; trying again next tick");
        }
        tokio::time::sleep(*tick).await;
        myself.cast(Tick)?;
        Ok(())
    }
}

/// Do one renewal step (a job); `Err` is "try again later".
pub(crate) async fn renew(p: &Payment, job: Job) -> anyhow::Result<()> {
    let step: Step = Encoding::MsgPack.decode(&job.payload).context("a renewal job")?;
    let customer = p.customer(step.user).await.map_err(anyhow::Error::from)?;
    let Some(s) = customer.subscription.clone().filter(|s| s.id == step.subscription) else { return Ok(()) };
    if due_at(&s) != Some(step.due_at) {
        return Ok(()); // Done already, or changed since.
    }
    let now = p.clock.now();
    if s.status == SubscriptionStatus::Incomplete {
        // Never confirmed: it expires, and its payment is no longer waited for.
        let expired = Subscription { status: SubscriptionStatus::IncompleteExpired, ..s.clone() };
        return write(p, &step, expired).await;
    }
    if matches!(s.status, SubscriptionStatus::Active | SubscriptionStatus::Trialing) && s.cancel_at_period_end {
        let ended = Subscription { status: SubscriptionStatus::Canceled, ..s.clone() };
        write(p, &step, ended).await?;
        return p.entitle(step.user, Entitlement { plan: Plan::Free, until_ms: 0 }).await.map_err(anyhow::Error::from);
    }
    // A downgrade waiting for this moment: the renewal is on the new plan, at its price now.
    let s = match s.scheduled_plan.as_deref().and_then(|id| p.config.plan(id)) {
        Some(plan) if s.status == SubscriptionStatus::Active => Subscription {
            plan: plan.id.clone(),
            tier: plan.tier,
            amount: plan.amount,
            currency: plan.currency.clone(),
            interval: plan.interval,
            scheduled_plan: None,
            ..s
        },
        _ => s,
    };
    let key = renewal_key(&s, customer.renewal_round);
    let method = customer
        .methods
        .iter()
        .find(|m| m.method.id == s.method)
        .or_else(|| customer.methods.iter().find(|m| m.method.default));
    let charge = match method {
        Some(m) => p.gateway.charge(&m.token, s.amount, &s.currency, &key).await,
        None => Err(GatewayError::CardDeclined),
    };
    match charge {
        Ok(charge) if charge.status == ChargeStatus::Succeeded => {
            let (next, invoice) = renewed(p, step.user, &s, &charge, &key, now).await.map_err(anyhow::Error::from)?;
            let until = next.current_period_end;
            write_with(p, &step, next, Some(invoice.number), None).await?;
            p.entitle(step.user, Entitlement { plan: s.tier, until_ms: until }).await.map_err(anyhow::Error::from)
        }
        Ok(_)
        | Err(GatewayError::CardDeclined)
        | Err(GatewayError::InsufficientFunds)
        | Err(GatewayError::ExpiredCard)
        | Err(GatewayError::ChargeFailed)
        | Err(GatewayError::UnknownCardToken) => {
            // A payment the listener's bank wants confirmed counts as a failed
            // attempt (the dunning goes on) until they confirm it.
            let waiting = charge.ok().map(|c| c.id);
            let next = Subscription { action_required: waiting.is_some(), ..failed_attempt(&s, now) };
            let unpaid = next.status == SubscriptionStatus::Unpaid;
            write_with(p, &step, next, None, waiting).await?;
            if unpaid {
                p.entitle(step.user, Entitlement { plan: Plan::Free, until_ms: 0 })
                    .await
                    .map_err(anyhow::Error::from)?;
            }
            Ok(())
        }
        // A processing error, or ours: the job comes back.
        Err(e) => Err(anyhow::anyhow!("renewing {}: {}", s.id, e.message())),
    }
}

/// The idempotency key of a renewal's charge: one per subscription,
/// period and round, so retries of one attempt (a crash, the dunning
/// schedule, a payment waiting for confirmation) are one charge; a round
/// begins when the listener gives up a payment waiting for confirmation by
/// choosing another card.
pub(crate) fn renewal_key(s: &Subscription, round: u32) -> String {
    match round {
        0 => format!("renew:{}:{}", s.id, s.current_period_end),
        r => format!("renew:{}:{}:{r}", s.id, s.current_period_end),
    }
}

/// A renewal's payment went through: the next period and its invoice (a
/// no-op when repeated: the invoice's id is the charge key's).
pub(crate) async fn renewed(
    p: &Payment,
    user: Uuid,
    s: &Subscription,
    charge: &crate::gateway::Charge,
    key: &str,
    now: u64,
) -> Result<(Subscription, chorus_nats::messages::payment::Invoice), chorus_host::Fail> {
    let start = if s.status == SubscriptionStatus::Unpaid { now } else { s.current_period_end };
    let next = Subscription {
        status: SubscriptionStatus::Active,
        current_period_start: start,
        current_period_end: start + period_ms(s.interval),
        failed_attempts: 0,
        next_attempt_at: None,
        action_required: false,
        ..s.clone()
    };
    let name = p.config.plan(&s.plan).map_or(s.plan.clone(), |plan| plan.name.clone());
    let what = if s.status == SubscriptionStatus::Trialing { "first period after the trial" } else { "renewal" };
    let lines = vec![InvoiceLine { description: format!("{name}, {what}"), amount: charge.amount }];
    let bill = Bill { id: derived_id(key), user, subscription: s.id, lines, proration: false, at: now };
    Ok((next, p.bill(bill, charge).await?))
}

/// One more failed attempt: `past_due` on the dunning schedule, or `unpaid` after it.
fn failed_attempt(s: &Subscription, now: u64) -> Subscription {
    let failed = s.failed_attempts + 1;
    match DUNNING_DAYS.get(failed as usize - 1) {
        Some(days) if s.status != SubscriptionStatus::Unpaid => Subscription {
            status: SubscriptionStatus::PastDue,
            failed_attempts: failed,
            next_attempt_at: Some((s.current_period_end + days * DAY_MS).max(now + MIN_RETRY_MS)),
            ..s.clone()
        },
        _ => Subscription {
            status: SubscriptionStatus::Unpaid,
            failed_attempts: failed,
            next_attempt_at: None,
            ..s.clone()
        },
    }
}

/// Write the subscription's next state, if it is still at the step's.
async fn write(p: &Payment, step: &Step, next: Subscription) -> anyhow::Result<()> {
    write_with(p, step, next, None, None).await
}

/// [`write`], with the invoice it paid, or the charge now waiting for the listener's confirmation.
async fn write_with(
    p: &Payment,
    step: &Step,
    next: Subscription,
    invoice: Option<u64>,
    waiting: Option<String>,
) -> anyhow::Result<()> {
    let due = step.due_at;
    p.change(step.user, move |mut c| {
        let current = c.subscription.as_ref().filter(|s| s.id == next.id && due_at(s) == Some(due));
        if current.is_some() {
            c.subscription = Some(next.clone());
            if next.status == SubscriptionStatus::Active {
                (c.pending_charge, c.confirming) = (None, false);
            } else if waiting.is_some() {
                c.pending_charge = waiting.clone();
            }
        }
        if let Some(n) = invoice.filter(|n| !c.invoices.contains(n)) {
            c.invoices.push(n);
        }
        Ok(c)
    })
    .await
    .map_err(anyhow::Error::from)?;
    Ok(())
}
