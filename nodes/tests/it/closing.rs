//! Closing an account through the wire: the listener takes their data with
//! them (one archive of every endpoint), then every service erases it —
//! including one that was down when the account closed — while invoices
//! stay, as the law expects, and other listeners are untouched.

use std::time::Duration;

use async_nats::jetstream;
use chorus_nats::messages::auth::{AccountClose, UserMe};
use chorus_nats::messages::payment::{
    BillingDetails, MethodAdd, MethodList, SubscriptionCreate, SubscriptionGet, SubscriptionReply, SubscriptionStatus,
};
use chorus_nats::messages::profile::*;
use chorus_nats::messages::Empty;
use chorus_nats::{ChorusClient, ClientError, RequestOptions, Status};
use chorus_testkit::NatsServer;
use uuid::Uuid;

use crate::support;
use crate::support::auth::{client, host, key, login, password, register};

fn code<T: std::fmt::Debug>(r: Result<T, ClientError>) -> (Option<Status>, String) {
    let e = r.unwrap_err();
    (e.status(), e.code().unwrap_or_default().to_string())
}

async fn subscribe(c: &ChorusClient) -> SubscriptionReply {
    let card =
        MethodAdd { number: "4242424242424242".into(), exp_month: 12, exp_year: 2040, cvc: None, make_default: true };
    c.call(&card).await.unwrap();
    let options = RequestOptions { idempotency_key: Some(Uuid::now_v7().to_string()), ..Default::default() };
    c.call_with(&SubscriptionCreate { plan: "premium_monthly".into(), method: None }, options).await.unwrap()
}

/// How many messages `stream` holds on `subject`.
async fn held(js: &jetstream::Context, stream: &str, subject: &str) -> u64 {
    let s = js.get_stream(stream).await.unwrap();
    let mut subjects = s.info_with_subjects(subject).await.unwrap();
    let mut n = 0;
    while let Some(Ok((_, count))) = futures::StreamExt::next(&mut subjects).await {
        n += count as u64;
    }
    n
}

/// Whether `bucket` has a value at `key`.
async fn entry(js: &jetstream::Context, bucket: &str, key: &str) -> Option<bytes::Bytes> {
    js.get_key_value(bucket).await.unwrap().get(key).await.unwrap()
}

/// What a test reads of a listener's billing record (`customer.<user>`).
#[derive(serde::Deserialize)]
struct Billing {
    methods: Vec<serde::de::IgnoredAny>,
    subscription: Option<chorus_nats::messages::payment::Subscription>,
    invoices: Vec<u64>,
    billing: BillingDetails,
    closed_at: Option<u64>,
}

async fn billing(js: &jetstream::Context, user: Uuid) -> Option<Billing> {
    let value = entry(js, "chorus_payment", &format!("customer.{user}")).await?;
    Some(chorus_nats::Encoding::MsgPack.decode(&value).unwrap())
}

fn canceled(b: &Billing) -> bool {
    b.subscription.as_ref().is_some_and(|s| s.status == SubscriptionStatus::Canceled)
}

/// Wait (bounded) until `done` holds.
async fn eventually<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: not within 10 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_exports_their_data_then_closes_and_every_service_erases_it() {
    let stack = support::listener::start(3, serde_json::json!({})).await;
    let ids: Vec<Uuid> = stack.tracks.iter().map(|t| t.id).collect();
    let (ann, ann_id) = stack.listener("ann").await;
    let (bob, _) = stack.listener("bob").await;

    // Ann's data, in every service.
    let req = PlaylistCreate {
        name: "Ann's mix".into(),
        description: String::new(),
        public: true,
        tracks: ids[..2].to_vec(),
    };
    let mix: Playlist = ann.call(&req).await.unwrap();
    let bobs: Playlist =
        bob.call(&PlaylistCreate { name: "Bob's".into(), tracks: vec![ids[0]], ..Default::default() }).await.unwrap();
    let _: Empty = ann.call(&FavoriteSet { kind: FavoriteKind::Track, id: ids[0], starred: true }).await.unwrap();
    let _: Empty = ann.call(&RatingSet { track_id: ids[1], rating: 4 }).await.unwrap();
    let _: Empty = ann.call(&QueueSave { tracks: ids.clone(), index: 1, position_ms: 5_000 }).await.unwrap();
    for track in [ids[0], ids[1], ids[0]] {
        let play = support::play_of(track);
        let _: Empty = ann.call(&play).await.unwrap();
    }
    let details = BillingDetails {
        name: "Ann Example".into(),
        address: "1 Music Road\n10115 Berlin".into(),
        country: "de".into(),
        tax_id: String::new(),
    };
    let kept = ann.call(&details).await.unwrap();
    assert_eq!(kept.country, "DE");
    let bad = BillingDetails { country: "Germany".into(), ..Default::default() };
    assert_eq!(code(ann.call(&bad).await), (Some(Status::BadRequest), "invalid_billing_details".into()));
    let paid = subscribe(&ann).await;
    let invoice = paid.invoice.expect("an invoice");
    assert_eq!(invoice.bill_to.name, "Ann Example");

    // Their whole history, a page at a time.
    let first = ann.call(&PlayHistory { cursor: None, limit: Some(2) }).await.unwrap();
    assert_eq!(first.plays.len(), 2);
    let rest = ann.call(&PlayHistory { cursor: first.next.clone(), limit: Some(2) }).await.unwrap();
    assert_eq!((rest.plays.len(), rest.next.as_deref()), (1, None));
    let bad = PlayHistory { cursor: Some("x".into()), limit: None };
    assert_eq!(code(ann.call(&bad).await), (Some(Status::BadRequest), "invalid_cursor".into()));
    assert!(bob.call(&PlayHistory::default()).await.unwrap().plays.is_empty());

    // The archive holds every piece of it.
    let archive = chorus_nodes::export::archive(&ann).await.unwrap();
    assert_eq!(archive["format"], chorus_nodes::export::FORMAT);
    assert_eq!(archive["account"]["username"], "ann");
    let profile = &archive["profile"];
    assert_eq!(profile["playlists"].as_array().unwrap().len(), 1);
    assert_eq!(profile["playlists"][0]["tracks"].as_array().unwrap().len(), 2);
    assert_eq!(profile["favorites"]["tracks"][0]["id"], ids[0].to_string());
    assert_eq!(profile["ratings"][0]["rating"], 4);
    assert_eq!(profile["queue"]["tracks"].as_array().unwrap().len(), ids.len());
    assert_eq!(profile["plays"].as_array().unwrap().len(), 3);
    let billed = &archive["billing"];
    assert_eq!(billed["methods"][0]["last4"], "4242");
    assert_eq!(billed["details"]["name"], "Ann Example");
    assert_eq!(billed["invoices"][0]["number"], invoice.number);
    assert_eq!(billed["subscription"]["subscription"]["status"], "active");

    // Closing asks for the password again, and an admin cannot close their own.
    let wrong = ann.call(&AccountClose { password: "not my password".into() }).await;
    assert_eq!(code(wrong), (Some(Status::Unauthorized), "invalid_credentials".into()));
    assert_eq!(ann.call(&UserMe {}).await.unwrap().id, ann_id);
    let root = client(&stack.server).await;
    let session = login(&root, support::auth::ADMIN.0, support::auth::ADMIN.1).await.unwrap();
    let r = root.with_token(session.access_token).call(&AccountClose { password: support::auth::ADMIN.1.into() }).await;
    assert_eq!(code(r), (Some(Status::Conflict), "admin_account".into()));

    let closed = ann.call(&AccountClose { password: password("ann") }).await.unwrap();
    assert!(closed.closed_at > 0);

    // The account's tokens are refused at once; its name signs nobody in.
    eventually("ann's token refused", || async { ann.call(&UserMe {}).await.is_err() }).await;
    assert_eq!(code(ann.call(&QueueGet {}).await), (Some(Status::Unauthorized), "user_disabled".into()));
    let anon = client(&stack.server).await;
    assert_eq!(
        code(login(&anon, "ann", &password("ann")).await),
        (Some(Status::Unauthorized), "invalid_credentials".into())
    );

    // Every service erased it.
    let js = jetstream::new(stack.server.connect().await.unwrap());
    let hex: String = "ann".bytes().map(|b| format!("{b:02x}")).collect();
    eventually("profile erased", || async {
        held(&js, "chorus_plays", &format!("chorus_plays.{ann_id}")).await == 0
            && entry(&js, "chorus_profile", &format!("playlist.{}", mix.id)).await.is_none()
            && entry(&js, "chorus_profile", &format!("library.{ann_id}")).await.is_none()
            && entry(&js, "chorus_profile", &format!("queue.{ann_id}")).await.is_none()
    })
    .await;
    eventually("billing erased", || async {
        let Some(b) = billing(&js, ann_id).await else { return false };
        b.closed_at.is_some()
            && b.methods.is_empty()
            && b.billing.is_empty()
            && b.invoices == [invoice.number]
            && canceled(&b)
            && entry(&js, "chorus_payment", &format!("entitlement.{ann_id}")).await.is_none()
    })
    .await;
    assert_eq!(held(&js, "KV_chorus_auth", &format!("$KV.chorus_auth.name.{hex}")).await, 0, "no trace of the name");
    assert!(entry(&js, "chorus_auth", &format!("user.{ann_id}")).await.is_none());
    // Revisions purged too: nothing of the account's is left behind a marker.
    for bucket_key in [format!("playlist.{}", mix.id), format!("library.{ann_id}")] {
        let subject = format!("$KV.chorus_profile.{bucket_key}");
        assert!(held(&js, "KV_chorus_profile", &subject).await <= 1, "{subject}: only the purge marker");
    }
    assert_eq!(
        held(&js, "KV_chorus_payment_idempotency", &format!("$KV.chorus_payment_idempotency.{ann_id}.>")).await,
        0
    );
    // The invoice is kept, made out as it was.
    assert_eq!(held(&js, "chorus_payment_invoices", "chorus_payment_invoices.issued").await, 1);

    // Ann's public playlist is gone for Bob; Bob's own data is untouched.
    let gone = bob.call(&PlaylistGet { id: mix.id, ..Default::default() }).await;
    assert_eq!(code(gone), (Some(Status::NotFound), "playlist_not_found".into()));
    let mine = bob.call(&PlaylistGet { id: bobs.id, ..Default::default() }).await.unwrap();
    assert_eq!(mine.playlist.tracks, vec![ids[0]]);

    // The name is free again, for a new account.
    let again = register(&anon, "ann").await.unwrap();
    assert_ne!(again.id, ann_id);
}

/// A payment instance that is down when the account closes erases it when
/// it starts: the closure waits in the stream for its consumer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_down_at_the_closure_erases_when_it_starts() {
    let server = NatsServer::start().expect("nats-server");
    let keys = key();
    let _auth = host(&server, &["auth"], &keys).await;
    let payment = host(&server, &["payment"], &keys).await;
    let c = client(&server).await.with_timeout(Duration::from_secs(10));
    let user = register(&c, "cat").await.unwrap();
    let session = login(&c, "cat", &password("cat")).await.unwrap();
    let c = c.with_token(session.access_token);
    let paid = subscribe(&c).await;
    assert_eq!(paid.subscription.status, SubscriptionStatus::Active);
    assert_eq!(c.call(&MethodList {}).await.unwrap().methods.len(), 1);
    payment.serve_until(std::future::ready(())).await.unwrap();

    c.call(&AccountClose { password: password("cat") }).await.unwrap();
    let js = jetstream::new(server.connect().await.unwrap());
    assert_eq!(billing(&js, user.id).await.unwrap().methods.len(), 1);

    let _payment = host(&server, &["payment"], &keys).await;
    eventually("billing erased by the restarted instance", || async {
        let b = billing(&js, user.id).await.unwrap();
        b.methods.is_empty() && canceled(&b)
    })
    .await;
    // Closed, the subscription does not renew (and no one can read it any more).
    assert!(c.call(&SubscriptionGet {}).await.is_err());
}
