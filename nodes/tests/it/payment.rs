//! The payment service through the wire, on a real nats-server: every test
//! card, one charge per idempotency key across two instances, the ledger
//! balancing after every test, the entitlement reaching the token and the
//! stream service, another listener's billing out of reach, bad input.

use std::collections::HashSet;
use std::time::Duration;

use chorus_host::host::RunningHost;
use chorus_nats::messages::auth::RefreshToken;
use chorus_nats::messages::payment::{
    ClockAdvance, InvoiceGet, InvoiceList, LedgerCheck, LedgerReport, MethodAdd, MethodDefault, MethodList,
    MethodRemove, PaymentMethod, PlanList, RefundCreate, SubscriptionCancel, SubscriptionChange, SubscriptionConfirm,
    SubscriptionCreate, SubscriptionGet, SubscriptionReply, SubscriptionResume, SubscriptionStatus,
};
use chorus_nats::messages::stream::SessionOpen;
use chorus_nats::{ChorusClient, ClientError, RequestOptions, Status};
use chorus_testkit::NatsServer;
use uuid::Uuid;

use crate::support::auth::{client, host, key, login, password, register, ADMIN};

/// A server, auth and payment on one host, and `more` payment-only instances.
async fn stack(more: usize) -> (NatsServer, Vec<RunningHost>) {
    let server = NatsServer::start().expect("nats-server");
    let keys = key();
    let mut hosts = vec![host(&server, &["auth", "payment"], &keys).await];
    for _ in 0..more {
        hosts.push(host(&server, &["payment"], &keys).await);
    }
    (server, hosts)
}

/// A new listener, signed in.
async fn listener(server: &NatsServer, name: &str) -> ChorusClient {
    let c = client(server).await.with_timeout(Duration::from_secs(10));
    register(&c, name).await.unwrap();
    let s = login(&c, name, &password(name)).await.unwrap();
    c.with_token(s.access_token)
}

async fn admin(server: &NatsServer) -> ChorusClient {
    let c = client(server).await.with_timeout(Duration::from_secs(20));
    let s = login(&c, ADMIN.0, ADMIN.1).await.unwrap();
    c.with_token(s.access_token)
}

fn with_key(key: &str) -> RequestOptions {
    RequestOptions { idempotency_key: Some(key.to_string()), ..Default::default() }
}

async fn card(c: &ChorusClient, number: &str) -> Result<PaymentMethod, ClientError> {
    let req =
        MethodAdd { number: number.into(), exp_month: 12, exp_year: 2040, cvc: Some("123".into()), make_default: true };
    c.call(&req).await
}

async fn subscribe(c: &ChorusClient, plan: &str, key: &str) -> Result<SubscriptionReply, ClientError> {
    c.call_with(&SubscriptionCreate { plan: plan.into(), method: None }, with_key(key)).await
}

fn code<T: std::fmt::Debug>(r: Result<T, ClientError>) -> (Option<Status>, String) {
    let e = r.unwrap_err();
    (e.status(), e.code().unwrap_or_default().to_string())
}

/// The ledger balances, every invoice matches it, numbers have no gaps.
async fn balanced(server: &NatsServer) -> LedgerReport {
    let report = admin(server).await.call(&LedgerCheck {}).await.unwrap();
    assert!(report.balanced && report.invoices_gapless, "{report:?}");
    assert_eq!(report.balances.values().sum::<i64>(), 0, "{report:?}");
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_test_card_behaves_as_documented() {
    let (server, _hosts) = stack(0).await;
    let plans = client(&server).await.call(&PlanList {}).await.unwrap();
    let monthly = plans.plans.iter().find(|p| p.id == "premium_monthly").unwrap().clone();
    let refused = [
        ("4000 0000 0000 0002", Status::PaymentRequired, "card_declined"),
        ("4000 0000 0000 9995", Status::PaymentRequired, "insufficient_funds"),
        ("4000 0000 0000 0341", Status::PaymentRequired, "charge_failed"),
        ("4000 0000 0000 0069", Status::PaymentRequired, "expired_card"),
        ("4000 0000 0000 0119", Status::Unavailable, "processing_error"),
    ];
    for (i, (number, status, expected)) in refused.into_iter().enumerate() {
        let c = listener(&server, &format!("refused{i}")).await;
        let method = card(&c, number).await.unwrap();
        assert_eq!((method.brand.as_str(), method.last4.as_str()), ("visa", &number[number.len() - 4..]));
        let r = subscribe(&c, "premium_monthly", &format!("key-{i}")).await;
        assert_eq!(code(r), (Some(status), expected.to_string()), "{number}");
        let view = c.call(&SubscriptionGet {}).await.unwrap();
        assert!(view.subscription.is_none(), "{number}: {view:?}");
        assert_eq!(view.entitlement, chorus_nats::messages::auth::Plan::Free);
    }
    // 4242: paid at the plan's price, an invoice, premium.
    let ann = listener(&server, "ann").await;
    card(&ann, "4242 4242 4242 4242").await.unwrap();
    let paid = subscribe(&ann, "premium_monthly", "ann-1").await.unwrap();
    assert_eq!(paid.subscription.status, SubscriptionStatus::Active);
    assert!(paid.refresh);
    let invoice = paid.invoice.unwrap();
    assert_eq!((invoice.amount, invoice.currency.as_str()), (monthly.amount, "eur"));
    assert_eq!(paid.subscription.amount, monthly.amount);
    let view = ann.call(&SubscriptionGet {}).await.unwrap();
    assert_eq!(view.entitlement, chorus_nats::messages::auth::Plan::Premium);
    // 3184: incomplete until the listener confirms, then active with an invoice.
    let bob = listener(&server, "bob").await;
    card(&bob, "4000 0027 6000 3184").await.unwrap();
    let pending = subscribe(&bob, "premium_yearly", "bob-1").await.unwrap();
    assert_eq!(pending.subscription.status, SubscriptionStatus::Incomplete);
    assert!(pending.invoice.is_none() && !pending.refresh);
    assert_eq!(bob.call(&SubscriptionGet {}).await.unwrap().entitlement, chorus_nats::messages::auth::Plan::Free);
    let confirmed = bob.call_with(&SubscriptionConfirm {}, with_key("bob-confirm")).await.unwrap();
    assert_eq!(confirmed.subscription.status, SubscriptionStatus::Active);
    assert!(confirmed.invoice.is_some() && confirmed.refresh);
    let again = bob.call_with(&SubscriptionConfirm {}, with_key("bob-confirm-2")).await;
    assert_eq!(code(again), (Some(Status::Conflict), "invalid_state".into()));
    let report = balanced(&server).await;
    assert_eq!((report.transactions, report.invoices), (2, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_key_is_one_charge_across_two_instances() {
    let (server, _hosts) = stack(1).await;
    let ann = listener(&server, "ann").await;
    card(&ann, "4242424242424242").await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..1000 {
        // Each on its own connection half the time, so both instances get them.
        let c = if i % 2 == 0 { ann.clone() } else { ann.fresh() };
        tasks.push(tokio::spawn(async move {
            // An instance whose queue is full says so (503 overloaded): a client retries.
            loop {
                match subscribe(&c, "premium_monthly", "one-intent").await {
                    Err(e) if e.code() == Some("overloaded") => tokio::time::sleep(Duration::from_millis(20)).await,
                    other => return other,
                }
            }
        }));
    }
    let mut ids = HashSet::new();
    let (mut ok, mut busy) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(reply) => {
                ok += 1;
                ids.insert(reply.subscription.id);
            }
            Err(e) if e.code() == Some("request_in_progress") => busy += 1,
            Err(e) => panic!("unexpected: {e}"),
        }
    }
    assert_eq!(ok + busy, 1000);
    assert_eq!(ids.len(), 1, "{ids:?}");
    // After it finished: a replay, the same subscription.
    let replay = subscribe(&ann, "premium_monthly", "one-intent").await.unwrap();
    assert!(ids.contains(&replay.subscription.id));
    // The same key with another request: 422; a new key while subscribed: 409.
    let r = subscribe(&ann, "premium_yearly", "one-intent").await;
    assert_eq!(code(r), (Some(Status::Unprocessable), "idempotency_key_reused".into()));
    let r = subscribe(&ann, "premium_yearly", "another-intent").await;
    assert_eq!(code(r), (Some(Status::Conflict), "already_subscribed".into()));
    // Errors replay too.
    let r = subscribe(&ann, "premium_yearly", "another-intent").await;
    assert_eq!(code(r), (Some(Status::Conflict), "already_subscribed".into()));
    let report = balanced(&server).await;
    assert_eq!((report.transactions, report.invoices), (1, 1), "{report:?}");
    let invoices = ann.call(&InvoiceList::default()).await.unwrap();
    assert_eq!(invoices.invoices.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_at_period_end_keeps_what_was_paid_resume_and_cancel_now() {
    let (server, _hosts) = stack(0).await;
    let ann = listener(&server, "ann").await;
    card(&ann, "4242424242424242").await.unwrap();
    subscribe(&ann, "premium_monthly", "k1").await.unwrap();
    let s = ann.call(&SubscriptionCancel { now: false }).await.unwrap();
    assert!(s.cancel_at_period_end && s.status == SubscriptionStatus::Active);
    assert_eq!(ann.call(&SubscriptionGet {}).await.unwrap().entitlement, chorus_nats::messages::auth::Plan::Premium);
    let s = ann.call(&SubscriptionResume {}).await.unwrap();
    assert!(!s.cancel_at_period_end);
    let r = ann.call(&SubscriptionResume {}).await;
    assert_eq!(code(r), (Some(Status::Conflict), "invalid_state".into()));
    // The method a live subscription renews with stays.
    let methods = ann.call(&MethodList {}).await.unwrap().methods;
    let r = ann.call(&MethodRemove { id: methods[0].id }).await;
    assert_eq!(code(r), (Some(Status::Conflict), "method_in_use".into()));
    let s = ann.call(&SubscriptionCancel { now: true }).await.unwrap();
    assert_eq!(s.status, SubscriptionStatus::Canceled);
    assert_eq!(ann.call(&SubscriptionGet {}).await.unwrap().entitlement, chorus_nats::messages::auth::Plan::Free);
    let r = ann.call(&SubscriptionCancel { now: true }).await;
    assert_eq!(code(r), (Some(Status::NotFound), "no_subscription".into()));
    ann.call(&MethodRemove { id: methods[0].id }).await.unwrap();
    assert!(ann.call(&MethodList {}).await.unwrap().methods.is_empty());
    // Subscribed again later: a second invoice, numbered next.
    card(&ann, "5555 5555 5555 4444").await.unwrap();
    let again = subscribe(&ann, "premium_yearly", "k2").await.unwrap();
    assert_eq!(again.invoice.unwrap().number, 2);
    balanced(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_listeners_billing_is_out_of_reach() {
    let (server, _hosts) = stack(0).await;
    let (ann, bob) = (listener(&server, "ann").await, listener(&server, "bob").await);
    let method = card(&ann, "4242424242424242").await.unwrap();
    let invoice = subscribe(&ann, "premium_monthly", "k").await.unwrap().invoice.unwrap();
    assert_eq!(ann.call(&InvoiceGet { number: invoice.number }).await.unwrap(), invoice);
    let r = bob.call(&InvoiceGet { number: invoice.number }).await;
    assert_eq!(code(r), (Some(Status::NotFound), "invoice_not_found".into()));
    assert!(bob.call(&InvoiceList::default()).await.unwrap().invoices.is_empty());
    assert!(bob.call(&MethodList {}).await.unwrap().methods.is_empty());
    let r = bob.call(&MethodRemove { id: method.id }).await;
    assert_eq!(code(r), (Some(Status::NotFound), "method_not_found".into()));
    let r = bob.call(&MethodDefault { id: method.id }).await;
    assert_eq!(code(r), (Some(Status::NotFound), "method_not_found".into()));
    // Bob's key "k" is his own: the same key string starts his own request.
    let r = subscribe(&bob, "premium_monthly", "k").await;
    assert_eq!(code(r), (Some(Status::BadRequest), "no_payment_method".into()));
    // Signed out: nothing.
    let anon = client(&server).await;
    assert_eq!(code(anon.call(&MethodList {}).await), (Some(Status::Unauthorized), "missing_token".into()));
    // Listeners cannot audit the ledger.
    assert_eq!(code(ann.call(&LedgerCheck {}).await).0, Some(Status::Forbidden));
    balanced(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_answer() {
    let (server, _hosts) = stack(0).await;
    let ann = listener(&server, "ann").await;
    let add = |number: &str, month: u8, year: u16, cvc: &str| MethodAdd {
        number: number.into(),
        exp_month: month,
        exp_year: year,
        cvc: Some(cvc.into()),
        make_default: false,
    };
    for (req, expected) in [
        (add("4242 4242 4242 4241", 12, 2040, "123"), "invalid_card_number"),
        (add("4242", 12, 2040, "123"), "invalid_card_number"),
        (add("4242-abcd-4242-4242", 12, 2040, "123"), "invalid_card_number"),
        (add("4242424242424242", 13, 2040, "123"), "invalid_expiry"),
        (add("4242424242424242", 1, 2020, "123"), "card_expired"),
        (add("4242424242424242", 12, 2040, "12a"), "invalid_cvc"),
    ] {
        assert_eq!(code(ann.call(&req).await), (Some(Status::BadRequest), expected.into()));
    }
    assert!(ann.call(&MethodList {}).await.unwrap().methods.is_empty());
    let r = subscribe(&ann, "premium_monthly", "k").await;
    assert_eq!(code(r), (Some(Status::BadRequest), "no_payment_method".into()));
    card(&ann, "4242424242424242").await.unwrap();
    // The same card twice is one method.
    card(&ann, "4242 4242 4242 4242").await.unwrap();
    assert_eq!(ann.call(&MethodList {}).await.unwrap().methods.len(), 1);
    assert_eq!(code(subscribe(&ann, "gold", "k1").await), (Some(Status::NotFound), "unknown_plan".into()));
    assert_eq!(code(subscribe(&ann, "free", "k2").await), (Some(Status::BadRequest), "free_plan".into()));
    let no_key = ann.call(&SubscriptionCreate { plan: "premium_monthly".into(), method: None }).await;
    assert_eq!(code(no_key), (Some(Status::BadRequest), "idempotency_key_required".into()));
    let long = "k".repeat(256);
    assert_eq!(
        code(subscribe(&ann, "premium_monthly", &long).await),
        (Some(Status::BadRequest), "invalid_idempotency_key".into())
    );
    let other = SubscriptionCreate { plan: "premium_monthly".into(), method: Some(Uuid::now_v7()) };
    let r = ann.call_with(&other, with_key("k3")).await;
    assert_eq!(code(r), (Some(Status::NotFound), "method_not_found".into()));
    let r = ann.call(&InvoiceList { cursor: Some("x".into()), limit: None }).await;
    assert_eq!(code(r), (Some(Status::BadRequest), "invalid_cursor".into()));
    let r = ann.call(&InvoiceList { cursor: None, limit: Some(0) }).await;
    assert_eq!(code(r), (Some(Status::BadRequest), "invalid_limit".into()));
    // Nothing was charged.
    let report = balanced(&server).await;
    assert_eq!(report.transactions, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_reaches_the_token_and_the_stream_service() {
    // No full plays for the free tier: a free listener gets previews.
    let stack = crate::support::listener::start(1, serde_json::json!({"free_full_plays_per_day": 0})).await;
    let track = stack.tracks[0].id;
    let c = client(&stack.server).await.with_timeout(Duration::from_secs(10));
    register(&c, "ann").await.unwrap();
    let session = login(&c, "ann", &password("ann")).await.unwrap();
    let ann = c.clone().with_token(session.access_token.clone());
    let open = SessionOpen { track_id: track, source: "test".into(), client: "test".into() };
    assert_eq!(ann.call(&open).await.unwrap().entitlement, "preview");
    card(&ann, "4242424242424242").await.unwrap();
    assert!(subscribe(&ann, "premium_monthly", "k").await.unwrap().refresh);
    // Within one refresh: the new token says premium, and stream plays it in full.
    let refreshed = c.call(&RefreshToken { refresh_token: session.refresh_token }).await.unwrap();
    let premium = c.clone().with_token(refreshed.access_token);
    assert_eq!(premium.call(&open).await.unwrap().entitlement, "full");
    // Canceled now: the next token is free again.
    premium.call(&SubscriptionCancel { now: true }).await.unwrap();
    let again = c.call(&RefreshToken { refresh_token: refreshed.refresh_token }).await.unwrap();
    assert_eq!(c.clone().with_token(again.access_token).call(&open).await.unwrap().entitlement, "preview");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_refund_happens_once_and_within_the_charge() {
    let (server, _hosts) = stack(0).await;
    let ann = listener(&server, "ann").await;
    card(&ann, "4242424242424242").await.unwrap();
    let invoice = subscribe(&ann, "premium_monthly", "k").await.unwrap().invoice.unwrap();
    let root = admin(&server).await;
    let part = RefundCreate { invoice: invoice.number, amount: Some(300) };
    let first = root.call_with(&part, with_key("refund-1")).await.unwrap();
    assert_eq!((first.invoice, first.amount), (invoice.number, 300));
    // The same key: the same refund, not a second one.
    assert_eq!(root.call_with(&part, with_key("refund-1")).await.unwrap(), first);
    // The rest, then nothing is left.
    let rest =
        root.call_with(&RefundCreate { invoice: invoice.number, amount: None }, with_key("refund-2")).await.unwrap();
    assert_eq!(rest.amount, invoice.amount - 300);
    let more = root.call_with(&RefundCreate { invoice: invoice.number, amount: Some(1) }, with_key("refund-3")).await;
    assert_eq!(code(more), (Some(Status::Conflict), "refund_exceeds_charge".into()));
    let none = root.call_with(&RefundCreate { invoice: invoice.number, amount: Some(0) }, with_key("refund-4")).await;
    assert_eq!(code(none), (Some(Status::BadRequest), "invalid_amount".into()));
    let missing = root.call_with(&RefundCreate { invoice: 99, amount: None }, with_key("refund-5")).await;
    assert_eq!(code(missing), (Some(Status::NotFound), "invoice_not_found".into()));
    // Listeners cannot refund.
    let r = ann.call_with(&part, with_key("mine")).await;
    assert_eq!(code(r).0, Some(Status::Forbidden));
    let report = balanced(&server).await;
    assert_eq!(report.transactions, 3, "{report:?}");
    assert_eq!(report.balances.get("refunds").copied(), Some(invoice.amount));
}

/// Auth and `n` payment instances whose clock tests move, renewing every 100 ms.
async fn clocked(n: usize) -> (NatsServer, Vec<RunningHost>) {
    clocked_with(n, serde_json::json!({})).await
}

/// As [`clocked`], with more `[payment]` settings.
async fn clocked_with(n: usize, settings: serde_json::Value) -> (NatsServer, Vec<RunningHost>) {
    let server = NatsServer::start().expect("nats-server");
    let keys = key();
    let mut hosts = Vec::new();
    for i in 0..n {
        let services: &[&str] = if i == 0 { &["auth", "payment"] } else { &["payment"] };
        let mut config = chorus_testkit::host_config(&server.url(), services);
        config.sections.insert("auth".into(), crate::support::auth::auth_section(&keys));
        let mut section = serde_json::json!({"test_clock": true, "renewal_tick_ms": 100});
        section.as_object_mut().unwrap().extend(settings.as_object().cloned().unwrap_or_default());
        config.sections.insert("payment".into(), section);
        hosts.push(RunningHost::start(config, &chorus_nodes::registry()).await.expect("payment host"));
    }
    (server, hosts)
}

const DAY: u64 = 24 * 3600 * 1000;

/// Move the service's clock forward.
async fn advance(server: &NatsServer, ms: u64) {
    admin(server).await.call(&ClockAdvance { ms }).await.unwrap();
}

/// The subscription once `done` says so (renewals run on the instances' ticks), within 10 s.
async fn until(
    c: &ChorusClient,
    what: &str,
    done: impl Fn(&chorus_nats::messages::payment::SubscriptionView) -> bool,
) -> chorus_nats::messages::payment::SubscriptionView {
    for _ in 0..200 {
        let view = c.call(&SubscriptionGet {}).await.unwrap();
        if done(&view) {
            return view;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: {:?}", c.call(&SubscriptionGet {}).await.unwrap());
}

fn status(v: &chorus_nats::messages::payment::SubscriptionView) -> Option<SubscriptionStatus> {
    v.subscription.as_ref().map(|s| s.status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewals_charge_once_per_period_and_dunning_ends_unpaid_until_a_new_card() {
    let (server, _hosts) = clocked(2).await;
    let ann = listener(&server, "ann").await;
    card(&ann, "4242424242424242").await.unwrap();
    let first = subscribe(&ann, "premium_monthly", "k").await.unwrap().subscription;
    // A period later: renewed by one of the two instances, once.
    advance(&server, 30 * DAY + 1000).await;
    let renewed = until(&ann, "renewed", |v| {
        v.subscription.as_ref().is_some_and(|s| s.current_period_start == first.current_period_end)
    })
    .await;
    let s = renewed.subscription.unwrap();
    assert_eq!((s.status, s.amount), (SubscriptionStatus::Active, first.amount));
    assert_eq!(s.current_period_end, first.current_period_end + 30 * DAY);
    let report = balanced(&server).await;
    assert_eq!((report.transactions, report.invoices), (2, 2), "{report:?}");
    // A card whose charges fail becomes the default: the next renewal fails.
    card(&ann, "4000000000000341").await.unwrap();
    advance(&server, 30 * DAY).await;
    let due = until(&ann, "past due", |v| status(v) == Some(SubscriptionStatus::PastDue)).await.subscription.unwrap();
    assert_eq!(due.failed_attempts, 1);
    assert_eq!(due.next_attempt_at, Some(due.current_period_end + DAY));
    // The dunning schedule: 1, 3, 5 days after the period's end, then unpaid and free.
    advance(&server, DAY).await;
    until(&ann, "second try", |v| v.subscription.as_ref().is_some_and(|s| s.failed_attempts == 2)).await;
    advance(&server, 2 * DAY).await;
    until(&ann, "third try", |v| v.subscription.as_ref().is_some_and(|s| s.failed_attempts == 3)).await;
    advance(&server, 2 * DAY).await;
    let unpaid = until(&ann, "unpaid", |v| status(v) == Some(SubscriptionStatus::Unpaid)).await;
    assert_eq!(unpaid.entitlement, chorus_nats::messages::auth::Plan::Free);
    // A good card again: charged at once, active, premium.
    card(&ann, "5555555555554444").await.unwrap();
    let back = until(&ann, "active again", |v| status(v) == Some(SubscriptionStatus::Active)).await;
    assert_eq!(back.entitlement, chorus_nats::messages::auth::Plan::Premium);
    let report = balanced(&server).await;
    assert_eq!((report.transactions, report.invoices), (3, 3), "{report:?}");
    assert_eq!(ann.call(&InvoiceList::default()).await.unwrap().invoices.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_set_to_end_ends_at_its_period_end_and_clocks_are_for_tests() {
    let (server, _hosts) = clocked(1).await;
    let ann = listener(&server, "ann").await;
    card(&ann, "4242424242424242").await.unwrap();
    subscribe(&ann, "premium_monthly", "k").await.unwrap();
    ann.call(&SubscriptionCancel { now: false }).await.unwrap();
    advance(&server, 30 * DAY + 1000).await;
    let ended = until(&ann, "canceled", |v| status(v) == Some(SubscriptionStatus::Canceled)).await;
    assert_eq!(ended.entitlement, chorus_nats::messages::auth::Plan::Free);
    let report = balanced(&server).await;
    assert_eq!(report.transactions, 1, "no renewal charge: {report:?}");
    // Without [payment] test_clock the clock does not move.
    let (plain, _h) = stack(0).await;
    let r = admin(&plain).await.call(&ClockAdvance { ms: 1 }).await;
    assert_eq!(code(r), (Some(Status::Forbidden), "test_clock_disabled".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upgrade_is_prorated_to_the_second_and_a_downgrade_waits_for_the_period_end() {
    let (server, _hosts) = clocked(1).await;
    let ann = listener(&server, "ann").await;
    card(&ann, "4242424242424242").await.unwrap();
    let monthly = subscribe(&ann, "premium_monthly", "k").await.unwrap().subscription;
    advance(&server, 10 * DAY).await;
    let change = |plan: &str, key: &str| {
        let req = SubscriptionChange { plan: plan.into() };
        let (c, key) = (ann.clone(), key.to_string());
        async move { c.call_with(&req, with_key(&key)).await }
    };
    // Upgrade to yearly: the yearly price less the unused 20 days of the month.
    let up = change("premium_yearly", "up").await.unwrap();
    let invoice = up.invoice.clone().unwrap();
    let total_s = (monthly.current_period_end - monthly.current_period_start) / 1000;
    let unused_s = (monthly.current_period_end - invoice.issued_at) / 1000;
    let credit = (monthly.amount as i128 * unused_s as i128 / total_s as i128) as i64;
    assert!((665..=666).contains(&credit), "{credit}");
    assert_eq!(invoice.amount, 9_990 - credit);
    assert_eq!(invoice.lines.iter().map(|l| l.amount).sum::<i64>(), invoice.amount);
    assert_eq!(invoice.lines.len(), 2);
    let yearly = up.subscription;
    assert_eq!(
        (yearly.plan.as_str(), yearly.amount, yearly.current_period_start),
        ("premium_yearly", 9_990, invoice.issued_at)
    );
    assert!(up.refresh);
    // The same key again: the same change, no second charge.
    assert_eq!(change("premium_yearly", "up").await.unwrap().invoice.unwrap().number, invoice.number);
    assert_eq!(code(change("premium_yearly", "again").await), (Some(Status::BadRequest), "same_plan".into()));
    // Downgrade to monthly: scheduled, nothing charged now.
    let down = change("premium_monthly", "down").await.unwrap();
    assert_eq!(down.subscription.scheduled_plan.as_deref(), Some("premium_monthly"));
    assert!(down.invoice.is_none());
    // At the year's end the renewal is monthly, at the monthly price.
    advance(&server, 365 * DAY + 1000).await;
    let renewed =
        until(&ann, "renewed monthly", |v| v.subscription.as_ref().is_some_and(|s| s.plan == "premium_monthly")).await;
    let s = renewed.subscription.unwrap();
    assert_eq!((s.amount, s.current_period_start), (999, yearly.current_period_end));
    assert!(s.scheduled_plan.is_none());
    let report = balanced(&server).await;
    assert_eq!((report.transactions, report.invoices), (3, 3), "{report:?}");
    assert_eq!(report.balances.get("gateway:cash").copied(), Some(999 + 9_990 - credit + 999));
    assert_eq!(code(change("free", "f").await), (Some(Status::BadRequest), "free_plan".into()));
    assert_eq!(code(change("gold", "g").await), (Some(Status::NotFound), "unknown_plan".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewing_instance_killed_mid_run_still_charges_each_period_once() {
    let server = NatsServer::start().expect("nats-server");
    let nats = server.connect().await.unwrap();
    let issuer = chorus_testkit::TestIssuer::publish(&nats).await.unwrap();
    let section = serde_json::json!({"test_clock": true, "renewal_tick_ms": 100, "renewal_ack_wait_ms": 2000});
    let mut config = chorus_testkit::host_config(&server.url(), &["payment"]);
    config.sections.insert("payment".into(), section);
    let _a = RunningHost::start(config, &chorus_nodes::registry()).await.unwrap();
    let env = [
        ("CHORUS_PAYMENT__TEST_CLOCK", "true"),
        ("CHORUS_PAYMENT__RENEWAL_TICK_MS", "100"),
        ("CHORUS_PAYMENT__RENEWAL_ACK_WAIT_MS", "2000"),
    ];
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_chorus-node"));
    let mut b = Some(chorus_testkit::ChildNode::start(bin, &server.url(), "payment", &env).unwrap());
    let n = 300;
    for i in 0..n {
        let c = ChorusClient::new(nats.clone())
            .with_token(issuer.token_for(Uuid::now_v7(), &[chorus_nats::messages::auth::Role::Listener]));
        card(&c, "4242424242424242").await.unwrap();
        subscribe(&c, "premium_monthly", &format!("k{i}")).await.unwrap();
    }
    let js = async_nats::jetstream::new(nats.clone());
    let invoices = || {
        let js = js.clone();
        async move { js.get_stream("chorus_payment_invoices").await.unwrap().info().await.unwrap().state.messages }
    };
    assert_eq!(invoices().await, n);
    let root = ChorusClient::new(nats.clone()).with_timeout(Duration::from_secs(30)).with_token(issuer.admin());
    root.call(&ClockAdvance { ms: 31 * DAY }).await.unwrap();
    // Kill -9 the child instance while the renewals run.
    for _ in 0..400 {
        if invoices().await > n + 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    drop(b.take());
    let mut renewed = 0;
    for _ in 0..300 {
        renewed = invoices().await - n;
        if renewed >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(renewed, n, "every subscription renewed");
    // Once each: the simulator's charges, the invoices and the ledger agree.
    let kv = js.get_key_value("chorus_payment_simulator").await.unwrap();
    let keys: Vec<String> = futures::TryStreamExt::try_collect(kv.keys().await.unwrap()).await.unwrap();
    assert_eq!(keys.iter().filter(|k| k.starts_with("charge.")).count() as u64, 2 * n);
    let report = root.call(&LedgerCheck {}).await.unwrap();
    assert!(report.balanced && report.invoices_gapless, "{report:?}");
    assert_eq!((report.transactions, report.invoices), (2 * n, 2 * n));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unconfirmed_subscription_expires_after_23_hours_and_a_new_one_can_start() {
    let (server, _hosts) = clocked(1).await;
    let ann = listener(&server, "ann").await;
    card(&ann, "4000 0027 6000 3184").await.unwrap();
    let pending = subscribe(&ann, "premium_monthly", "k1").await.unwrap().subscription;
    assert_eq!(pending.status, SubscriptionStatus::Incomplete);
    advance(&server, 23 * 3600 * 1000 + 1000).await;
    until(&ann, "expired", |v| status(v) == Some(SubscriptionStatus::IncompleteExpired)).await;
    let late = ann.call_with(&SubscriptionConfirm {}, with_key("late")).await;
    assert_eq!(code(late), (Some(Status::Conflict), "invalid_state".into()));
    // Nothing was charged, and a new subscription can start.
    card(&ann, "4242424242424242").await.unwrap();
    let paid = subscribe(&ann, "premium_monthly", "k2").await.unwrap();
    assert_eq!(paid.subscription.status, SubscriptionStatus::Active);
    assert_eq!(balanced(&server).await.transactions, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_subscription_to_a_plan_with_a_trial_is_charged_when_the_trial_ends() {
    let plan = |id: &str, tier: &str, amount: i64, interval: &str, trial_days: u32| serde_json::json!({"id": id, "name": id, "tier": tier, "amount": amount, "currency": "EUR", "interval": interval, "trial_days": trial_days});
    let plans =
        serde_json::json!([plan("free", "free", 0, "none", 0), plan("premium_monthly", "premium", 999, "month", 14),]);
    let (server, _hosts) = clocked_with(1, serde_json::json!({ "plans": plans })).await;
    let listed = client(&server).await.call(&PlanList {}).await.unwrap();
    assert_eq!(listed.plans.iter().find(|p| p.id == "premium_monthly").unwrap().trial_days, 14);
    let (ann, bob) = (listener(&server, "ann").await, listener(&server, "bob").await);
    for c in [&ann, &bob] {
        card(c, "4242424242424242").await.unwrap();
    }
    // Trialing: nothing charged, premium until the trial's end.
    let trial = subscribe(&ann, "premium_monthly", "ann-trial").await.unwrap();
    assert_eq!(trial.subscription.status, SubscriptionStatus::Trialing);
    assert!(trial.invoice.is_none() && trial.refresh);
    let s = &trial.subscription;
    assert_eq!(s.current_period_end - s.current_period_start, 14 * DAY);
    assert_eq!(ann.call(&SubscriptionGet {}).await.unwrap().entitlement, chorus_nats::messages::auth::Plan::Premium);
    let again = subscribe(&ann, "premium_monthly", "ann-trial").await.unwrap();
    assert_eq!(again.subscription, trial.subscription, "the same key replays the trial");
    // Bob's trial is set to end: it ends with the trial, nothing charged.
    subscribe(&bob, "premium_monthly", "bob-trial").await.unwrap();
    let set = bob.call(&SubscriptionCancel { now: false }).await.unwrap();
    assert!(set.cancel_at_period_end);
    let report = balanced(&server).await;
    assert_eq!((report.transactions, report.invoices), (0, 0), "{report:?}");

    advance(&server, 14 * DAY + 1000).await;
    let paid = until(&ann, "charged after the trial", |v| status(v) == Some(SubscriptionStatus::Active)).await;
    let s = paid.subscription.unwrap();
    assert_eq!(
        (s.current_period_start, s.current_period_end),
        (trial.subscription.current_period_end, trial.subscription.current_period_end + 30 * DAY)
    );
    let invoices = ann.call(&InvoiceList::default()).await.unwrap().invoices;
    assert_eq!(invoices.len(), 1);
    assert_eq!(
        (invoices[0].amount, invoices[0].lines[0].description.as_str()),
        (999, "premium_monthly, first period after the trial")
    );
    let ended = until(&bob, "the trial set to end ended", |v| status(v) == Some(SubscriptionStatus::Canceled)).await;
    assert_eq!(ended.entitlement, chorus_nats::messages::auth::Plan::Free);
    assert!(bob.call(&InvoiceList::default()).await.unwrap().invoices.is_empty());
    // One trial per listener: Bob's next subscription is paid at once.
    let paid = subscribe(&bob, "premium_monthly", "bob-paid").await.unwrap();
    assert_eq!(paid.subscription.status, SubscriptionStatus::Active);
    assert_eq!(paid.invoice.map(|i| i.amount), Some(999));
    let report = balanced(&server).await;
    assert_eq!((report.transactions, report.invoices), (2, 2), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_the_bank_wants_confirmed_waits_for_the_listener_and_is_charged_once() {
    let (server, _hosts) = clocked(2).await;
    let (ann, bob) = (listener(&server, "ann").await, listener(&server, "bob").await);
    let mut firsts = Vec::new();
    for (c, key) in [(&ann, "ann"), (&bob, "bob")] {
        card(c, "4242424242424242").await.unwrap();
        firsts.push(subscribe(c, "premium_monthly", key).await.unwrap().subscription);
        // Renewals charge the default: a card whose bank asks for confirmation.
        card(c, "4000002760003184").await.unwrap();
    }
    advance(&server, 30 * DAY + 1000).await;
    for c in [&ann, &bob] {
        // The period paid for is over: Free, once the instance answering has the
        // test clock moved on too (each instance follows the clock's record).
        let v = until(c, "waiting for confirmation, and the paid period over", |v| {
            v.subscription.as_ref().is_some_and(|s| s.action_required)
                && v.entitlement == chorus_nats::messages::auth::Plan::Free
        })
        .await;
        let s = v.subscription.unwrap();
        assert_eq!((s.status, s.failed_attempts), (SubscriptionStatus::PastDue, 1));
    }
    // A dunning retry replays the waiting charge: still waiting, nothing taken.
    advance(&server, DAY).await;
    until(&ann, "second try", |v| v.subscription.as_ref().is_some_and(|s| s.failed_attempts == 2 && s.action_required))
        .await;
    let report = balanced(&server).await;
    assert_eq!((report.transactions, report.invoices), (2, 2), "{report:?}");

    // Ann confirms: paid once, for the period after the one she had.
    let paid = ann.call_with(&SubscriptionConfirm {}, with_key("ann-confirm")).await.unwrap();
    let s = &paid.subscription;
    assert_eq!((s.status, s.action_required, s.failed_attempts), (SubscriptionStatus::Active, false, 0));
    assert_eq!(s.current_period_start, firsts[0].current_period_end);
    assert!(paid.refresh && paid.invoice.as_ref().is_some_and(|i| i.amount == firsts[0].amount));
    let again = ann.call_with(&SubscriptionConfirm {}, with_key("ann-confirm-2")).await;
    assert_eq!(code(again), (Some(Status::Conflict), "invalid_state".into()));
    // The next retry time passes: nothing more is charged.
    advance(&server, 2 * DAY).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(ann.call(&InvoiceList::default()).await.unwrap().invoices.len(), 2);

    // Bob chooses another card instead: it is charged at once, the waiting payment is given up.
    let other = card(&bob, "5555555555554444").await.unwrap();
    assert!(other.default);
    let back = until(&bob, "paid with the other card", |v| status(v) == Some(SubscriptionStatus::Active)).await;
    assert!(!back.subscription.as_ref().unwrap().action_required);
    let late = bob.call_with(&SubscriptionConfirm {}, with_key("bob-confirm")).await;
    assert_eq!(code(late), (Some(Status::Conflict), "invalid_state".into()));
    let invoices = bob.call(&InvoiceList::default()).await.unwrap().invoices;
    assert_eq!(invoices.len(), 2, "{invoices:?}");
    let report = balanced(&server).await;
    assert_eq!((report.transactions, report.invoices), (4, 4), "{report:?}");
}
