//! The payment service: plans, payment methods, subscriptions, a
//! double-entry ledger, and the listener's entitlement (the plan in the next
//! access token, which auth reads from `chorus_nats::records::payment`).
//!
//! The record is the bucket `chorus_payment` (each listener's billing and
//! entitlement), the invoices stream (numbers without gaps) and the ledger
//! stream (balanced transactions, each id written once). Each instance
//! follows the bucket only to know which renewals are due (`renewals`).
#![warn(missing_docs, unreachable_pub)]

mod audit;
mod billing;
mod cards;
mod changes;
mod clock;
mod closing;
mod config;
mod confirmations;
mod details;
mod gateway;
mod idempotency;
mod invoices;
mod ledger;
mod methods;
mod records;
mod refunds;
mod refusals;
mod renewals;
mod state;
mod subscriptions;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chorus_host::{Fail, HostContext, Routes, ServiceDef};
use chorus_nats::messages::payment::{
    BillingDetails, BillingGet, ClockAdvance, ClockReply, InvoiceGet, InvoiceList, LedgerCheck, MethodAdd,
    MethodDefault, MethodList, MethodRemove, PlanList, Plans, RefundCreate, SubscriptionCancel, SubscriptionChange,
    SubscriptionConfirm, SubscriptionCreate, SubscriptionGet, SubscriptionResume,
};
use chorus_nats::subjects::payment as subjects;
use chorus_state::{catch_up, projector_child, Records, Source, View};
use futures::future::BoxFuture;

pub use config::PaymentConfig;
use state::Payment;

/// Service name, micro name and queue group.
pub const NAME: &str = subjects::SERVICE;

/// Build a payment instance: open the bucket, the idempotency keys, the
/// invoices and the ledger, then hand the endpoints over.
pub fn service(ctx: HostContext) -> BoxFuture<'static, anyhow::Result<ServiceDef>> {
    Box::pin(async move {
        let config: PaymentConfig = ctx.config.section(NAME)?;
        let js = ctx.jetstream();
        let replicas = config.replicas;
        let ttl = Some(Duration::from_secs(config.idempotency_ttl_s));
        let bucket = Records::open(&js, records::BUCKET, replicas).await?;
        let payment = Arc::new(Payment {
            clock: clock::Clock::open(bucket.clone(), config.test_clock).await?,
            js: js.clone(),
            records: bucket.clone(),
            keys: idempotency::Keys {
                records: Records::open_expiring(&js, records::IDEMPOTENCY, replicas, ttl).await?,
                lease_ms: config.idempotency_lease_ms,
            },
            invoices: invoices::Invoices::open(js.clone(), replicas).await?,
            ledger: ledger::Ledger::open(js.clone(), replicas).await?,
            gateway: Arc::new(gateway::SimulatedGateway::open(&js, replicas).await?),
            config,
        });
        // When each subscription's next renewal step is due, from the bucket.
        let due = Arc::new(renewals::Due::default());
        let (source, view) = (Source::Bucket(bucket.store().clone()), Arc::new(View::revision_only()));
        catch_up(&source, &view, due.as_ref()).await.context("loading due renewals")?;
        let tick = Duration::from_millis(payment.config.renewal_tick_ms.max(10));
        let worker = payment.clone();
        let handler: chorus_state::jobs::JobHandler = Arc::new(move |job| {
            let p = worker.clone();
            Box::pin(async move { renewals::renew(&p, job).await })
        });
        let sweeper = {
            let (p, due) = (payment.clone(), due.clone());
            chorus_host::ChildSpec::actor("payment-sweeper", true, move || {
                (renewals::Sweeper, (p.clone(), due.clone(), tick))
            })
        };
        chorus_state::closures::open(&js, replicas).await?;
        let eraser = {
            let payment = payment.clone();
            Arc::new(move |closure| {
                let p = payment.clone();
                Box::pin(async move { closing::erase(&p, closure).await }) as BoxFuture<'static, _>
            })
        };
        let children = vec![
            chorus_state::closures::eraser_child(NAME, js.clone(), replicas, eraser),
            projector_child("payment-due", source, view, due),
            chorus_state::jobs::job_child(
                NAME,
                js.clone(),
                renewals::queue(replicas, Duration::from_millis(payment.config.renewal_ack_wait_ms.max(100))),
                handler,
            ),
            sweeper,
        ];
        Ok(ServiceDef {
            name: NAME,
            description: "Plans, payment methods, subscriptions and invoices",
            version: env!("CARGO_PKG_VERSION"),
            endpoints: routes(payment).into_endpoints(),
            children,
            gate: None,
            workload: chorus_host::Workload::Waiting,
            metadata: vec![("gateway".into(), "simulated".into())],
        })
    })
}

/// Every payment endpoint, in `subjects.md` order.
fn routes(payment: Arc<Payment>) -> Routes<Payment> {
    Routes::new(payment)
        .route(|p, _, _: PlanList| async move { Ok::<_, Fail>(Plans { plans: p.config.plans.clone() }) })
        .route(|p, ctx, req: MethodAdd| async move { methods::add(&p, &ctx, req).await })
        .route(|p, ctx, _: MethodList| async move { methods::list(&p, &ctx).await })
        .route(|p, ctx, req: MethodRemove| async move { methods::remove(&p, &ctx, req.id).await })
        .route(|p, ctx, req: MethodDefault| async move { methods::set_default(&p, &ctx, req.id).await })
        .route(|p, ctx, req: SubscriptionCreate| async move { subscriptions::create(&p, &ctx, req).await })
        .route(|p, ctx, _: SubscriptionGet| async move { subscriptions::get(&p, &ctx).await })
        .route(|p, ctx, req: SubscriptionCancel| async move { subscriptions::cancel(&p, &ctx, req.now).await })
        .route(|p, ctx, _: SubscriptionResume| async move { subscriptions::resume(&p, &ctx).await })
        .route(|p, ctx, req: SubscriptionChange| async move { changes::change(&p, &ctx, req).await })
        .route(|p, ctx, req: SubscriptionConfirm| async move { subscriptions::confirm(&p, &ctx, req).await })
        .route(|p, ctx, _: BillingGet| async move { details::get(&p, &ctx).await })
        .route(|p, ctx, req: BillingDetails| async move { details::update(&p, &ctx, req).await })
        .route(|p, ctx, req: InvoiceList| async move { invoices::list(&p, &ctx, req).await })
        .route(|p, ctx, req: InvoiceGet| async move { invoices::get(&p, &ctx, req.number).await })
        .route(|p, ctx, req: RefundCreate| async move { refunds::create(&p, &ctx, req).await })
        .route(|p, _, _: LedgerCheck| async move { audit::check(&p).await })
        .route(|p, _, req: ClockAdvance| async move { advance(&p, req.ms).await })
}

/// `clock.advance`: only where `[payment] test_clock` is on.
async fn advance(p: &Payment, ms: u64) -> Result<ClockReply, Fail> {
    if !p.clock.movable {
        let message = "this deployment's clock is the wall clock ([payment] test_clock is off)";
        let code = chorus_nats::errors::payment::TEST_CLOCK_DISABLED;
        return Err(chorus_nats::ServiceError::forbidden(code, message).into());
    }
    let offset_ms = p.clock.advance(ms).await?;
    Ok(ClockReply { now_ms: p.clock.now(), offset_ms })
}
