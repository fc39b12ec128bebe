//! The auth callout through a real nats-server with the dev config: a
//! browser connection's JWT expires and the page is let in again; a nonce
//! serves one live connection; connections are capped per host; requests
//! must come from the configured server, sealed to our xkey when the server
//! has one; and the browser account's limits refuse extra subscriptions and
//! oversized publishes.

use std::path::Path;
use std::time::{Duration, Instant};

use chorus_host::host::RunningHost;
use chorus_nats::subjects::{auth, stream};
use chorus_testkit::{host_config, NatsServer};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::dev_conf::{dev_conf, nonce};
use crate::support::auth::{auth_section, callout_section, key};

/// An auth node answering the callout, with `callout` over the dev settings.
async fn auth_node(server: &NatsServer, signing_key: &str, callout: Value) -> RunningHost {
    let mut config = host_config(&server.url(), &["auth"]);
    config.nats_user = Some("service".into());
    config.nats_password = Some("service-test".into());
    let mut section = callout_section();
    for (k, v) in callout.as_object().unwrap() {
        section[k] = v.clone();
    }
    let mut auth = auth_section(signing_key);
    auth["callout"] = section;
    config.sections.insert("auth".into(), auth);
    match RunningHost::start(config, &chorus_nodes::registry()).await {
        Ok(host) => host,
        Err(e) => panic!("auth node: {e:#}"),
    }
}

/// A dev-conf server and one auth node.
async fn stack(callout: Value) -> (NatsServer, RunningHost) {
    let server = NatsServer::start_conf(&dev_conf()).unwrap();
    let node = auth_node(&server, &key(), callout).await;
    (server, node)
}

/// A browser-like connection (the web user, its nonce as token and inbox)
/// and what its client reports (connected, disconnected, server errors).
pub(crate) struct Page {
    pub(crate) nats: async_nats::Client,
    events: mpsc::UnboundedReceiver<String>,
}

/// A page's connection as the web player makes it (the web user, `nonce` as its token and inbox).
pub(crate) async fn page(server: &NatsServer, nonce: &str) -> Result<Page, String> {
    let (tx, events) = mpsc::unbounded_channel();
    let nats = async_nats::ConnectOptions::with_user_and_password("web".into(), "web-test".into())
        .token(nonce.into())
        .custom_inbox_prefix(chorus_auth::callout::inbox_prefix(nonce))
        .event_callback(move |e| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(e.to_string());
            }
        })
        .connect(server.url())
        .await
        .map_err(|e| e.to_string())?;
    Ok(Page { nats, events })
}

impl Page {
    /// The next event that satisfies `wanted`, within `within`.
    async fn wait_for(&mut self, within: Duration, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(e)) if wanted(&e) => return e,
                Ok(Some(_)) => {}
                other => panic!("no such event within {within:?}: {other:?}"),
            }
        }
    }

    /// Whether no event that satisfies `unwanted` comes within `within`.
    async fn quiet(&mut self, within: Duration, unwanted: impl Fn(&str) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        while let Ok(Some(e)) = tokio::time::timeout_at(deadline, self.events.recv()).await {
            if unwanted(&e) {
                return false;
            }
        }
        true
    }

    /// Whether a request through the browser account is answered.
    async fn can_request(&self) -> bool {
        let request = self.nats.request(auth::key_list().subject(), "{}".into());
        matches!(tokio::time::timeout(Duration::from_secs(2), request).await, Ok(Ok(_)))
    }

    async fn close(self) {
        self.nats.drain().await.unwrap();
        // Drained means closed on our side; give the server the moment to notice.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Connect, retrying for `within` (until a disconnect event has reached the callout).
async fn page_eventually(server: &NatsServer, nonce: &str, within: Duration) -> Page {
    let start = Instant::now();
    loop {
        match page(server, nonce).await {
            Ok(page) => return page,
            Err(e) if start.elapsed() > within => panic!("still refused after {within:?}: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

#[tokio::test]
async fn an_expired_jwt_closes_the_connection_and_the_page_is_let_in_again() {
    let (server, _node) = stack(json!({"user_ttl_s": 2})).await;
    let mut page = page(&server, &nonce()).await.unwrap();
    let connected = Instant::now();
    assert!(page.can_request().await);
    let expired = page.wait_for(Duration::from_secs(5), |e| e.contains("Authentication Expired")).await;
    let lived = connected.elapsed();
    assert!(lived >= Duration::from_millis(900) && lived < Duration::from_secs(4), "{expired} after {lived:?}");
    // The client reconnects at once with the same nonce: the callout has
    // heard (or waits for) the old connection's disconnect, and lets it in.
    page.wait_for(Duration::from_secs(3), |e| e == "connected").await;
    assert!(page.can_request().await, "the reconnected page is served");
    // And so on, at each expiry.
    page.wait_for(Duration::from_secs(5), |e| e.contains("Authentication Expired")).await;
    page.wait_for(Duration::from_secs(3), |e| e == "connected").await;
    assert!(page.can_request().await);
}

#[tokio::test]
async fn a_live_nonce_is_refused_and_free_again_once_its_connection_closes() {
    let (server, _node) = stack(json!({})).await;
    let n = nonce();
    let first = page(&server, &n).await.unwrap();
    let refused = Instant::now();
    let e = page(&server, &n).await.err().expect("a second connection with a live nonce is refused");
    assert!(e.to_lowercase().contains("authorization"), "{e}");
    assert!(refused.elapsed() >= Duration::from_millis(400), "it waited for a disconnect that did not come");
    assert!(first.can_request().await, "the first connection is untouched");
    // The server writes its log as it goes: give the line a moment under load.
    let logged = async {
        while !server.log().contains("this inbox nonce belongs to a live connection") {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    assert!(tokio::time::timeout(Duration::from_secs(5), logged).await.is_ok(), "the server logs why");
    first.close().await;
    // Right after the close: the disconnect event is awaited, not raced.
    let second = page(&server, &n).await.expect("the nonce is free once its connection closed");
    assert!(second.can_request().await);
}

#[tokio::test]
async fn connections_per_host_are_capped() {
    let (server, _node) = stack(json!({"max_connections_per_host": 2})).await;
    let a = page(&server, &nonce()).await.unwrap();
    let _b = page(&server, &nonce()).await.unwrap();
    let n = nonce();
    assert!(page(&server, &n).await.is_err(), "a third from 127.0.0.1");
    assert!(server.log().contains("too many browser connections from this host (at most 2)"), "{}", server.log());
    a.close().await;
    let c = page_eventually(&server, &n, Duration::from_secs(3)).await;
    assert!(c.can_request().await);
}

#[tokio::test]
async fn every_instance_knows_every_grant() {
    let server = NatsServer::start_conf(&dev_conf()).unwrap();
    let signing_key = key();
    let _one = auth_node(&server, &signing_key, json!({})).await;
    let _two = auth_node(&server, &signing_key, json!({})).await;
    let n = nonce();
    let first = page(&server, &n).await.unwrap();
    // Either instance may answer each attempt (one queue group): each refuses.
    for attempt in 0..4 {
        assert!(page(&server, &n).await.is_err(), "attempt {attempt} with a live nonce was let in");
    }
    first.close().await;
    assert!(page(&server, &n).await.is_ok());
}

#[tokio::test]
async fn only_the_configured_server_is_answered() {
    let server_key = |server: &NatsServer| {
        let url = server.url();
        async move {
            let service = async_nats::ConnectOptions::with_user_and_password("service".into(), "service-test".into())
                .connect(url)
                .await
                .unwrap();
            service.server_info().server_id
        }
    };
    let server = NatsServer::start_conf(&dev_conf()).unwrap();
    // The key of another server.
    let stranger = server_key(&NatsServer::start_conf(&dev_conf()).unwrap()).await;
    let _node = auth_node(&server, &key(), json!({"server_keys": [stranger]})).await;
    let started = Instant::now();
    assert!(page(&server, &nonce()).await.is_err(), "a request from a server not listed gets no answer");
    assert!(started.elapsed() >= Duration::from_millis(1500), "refused at the server's auth timeout");

    let server = NatsServer::start_conf(&dev_conf()).unwrap();
    let server_key = server_key(&server).await;
    // Listed (here in one comma-separated string, as the environment gives it).
    let _node = auth_node(&server, &key(), json!({"server_keys": format!("{stranger}, {server_key}")})).await;
    assert!(page(&server, &nonce()).await.unwrap().can_request().await);
}

/// `nats/conf/dev.conf` and `accounts.conf` copied into a directory, edited.
fn edited_conf(dir: &Path, dev: impl Fn(String) -> String, accounts: impl Fn(String) -> String) -> std::path::PathBuf {
    let conf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../nats/conf");
    let read = |name: &str| std::fs::read_to_string(conf.join(name)).unwrap();
    let (dev_text, accounts_text) = (dev(read("dev.conf")), accounts(read("accounts.conf")));
    std::fs::write(dir.join("accounts.conf"), accounts_text).unwrap();
    std::fs::write(dir.join("dev.conf"), &dev_text).unwrap();
    dir.join("dev.conf")
}

/// A dev-conf server whose `auth_callout` names the xkey `public`.
fn server_with_xkey(dir: &Path, public: &str) -> NatsServer {
    let conf = edited_conf(
        dir,
        |dev| {
            let with = dev.replace("    account: AUTH\n", &format!("    account: AUTH\n    xkey: {public}\n"));
            assert_ne!(with, dev, "dev.conf's auth_callout block moved");
            with
        },
        |accounts| accounts,
    );
    NatsServer::start_conf(&conf).unwrap()
}

#[tokio::test]
async fn sealed_requests_and_answers_with_the_servers_xkey() {
    let (public, seed) = chorus_auth::callout::new_xkey();
    let dir = tempfile::tempdir().unwrap();
    // Ours opens the requests, and the server opens our sealed answer (Go's NaCl box).
    let server = server_with_xkey(dir.path(), &public);
    let _node = auth_node(&server, &key(), json!({"xkey_seed": seed})).await;
    assert!(page(&server, &nonce()).await.unwrap().can_request().await);

    // Another key cannot open them: no answer, no connection.
    let server = server_with_xkey(dir.path(), &public);
    let (_, other) = chorus_auth::callout::new_xkey();
    let _node = auth_node(&server, &key(), json!({"xkey_seed": other})).await;
    assert!(page(&server, &nonce()).await.is_err());
}

/// nats-server 2.15 does not apply a callout user JWT's `subs` and
/// `payload` (the callout still writes them); an account's `limits` in the
/// server config do apply, to callout users too: `nats/conf/accounts.conf`
/// gives the browser account the callout's defaults.
#[tokio::test]
async fn the_browser_accounts_limits_refuse_extra_subscriptions_and_large_publishes() {
    let defaults: chorus_auth::callout::CalloutConfig = serde_json::from_value(json!({
        "user": "callout", "password": "-", "issuer_seed": "-", "web_password": "-",
    }))
    .unwrap();
    let (subs, payload) = (defaults.max_subs, defaults.max_payload);
    let server = NatsServer::start_conf(&crate::dev_conf::dev_conf()).unwrap();
    let _node = auth_node(&server, &key(), json!({})).await;

    let n = nonce();
    let mut page = page(&server, &n).await.unwrap();
    assert!(page.can_request().await, "the request inbox is one subscription");

    // What a browser receives is not limited: an audio chunk (256 KiB) arrives.
    let service = async_nats::ConnectOptions::with_user_and_password("service".into(), "service-test".into())
        .connect(server.url())
        .await
        .unwrap();
    let mut chunks = service.subscribe(stream::chunk_get().subject()).await.unwrap();
    service.flush().await.unwrap();
    // Measured: under CPU load a request through the service import can still
    // find no responders for about a millisecond after the flush.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let responder = tokio::spawn(async move {
        let request = futures::StreamExt::next(&mut chunks).await.unwrap();
        service.publish(request.reply.unwrap(), vec![7u8; 256 * 1024].into()).await.unwrap();
        service.flush().await.unwrap();
    });
    let chunk = page.nats.request(stream::chunk_get().subject(), "{}".into()).await.unwrap();
    assert_eq!(chunk.payload.len(), 256 * 1024);
    responder.await.unwrap();
    let mut held = Vec::new();
    for i in 1..subs {
        held.push(page.nats.subscribe(format!("{}.extra{i}", chorus_auth::callout::inbox_prefix(&n))).await.unwrap());
    }
    page.nats.flush().await.unwrap();
    assert!(page.quiet(Duration::from_millis(300), |e| e.contains("error")).await, "{subs} subscriptions are allowed");
    held.push(page.nats.subscribe(format!("{}.one_too_many", chorus_auth::callout::inbox_prefix(&n))).await.unwrap());
    page.wait_for(Duration::from_secs(2), |e| e.contains("maximum subscriptions exceeded")).await;
    assert!(page.can_request().await, "the connection stays");
    drop(held);

    let body = vec![b'x'; payload as usize + 1];
    page.nats.publish(auth::session_login().subject(), body.into()).await.unwrap();
    let _ = page.nats.flush().await;
    page.wait_for(Duration::from_secs(2), |e| e.contains("Maximum Payload Violation")).await;
    page.wait_for(Duration::from_secs(2), |e| e == "disconnected").await;
    // Reconnected (the same nonce, let in again), a publish of the full size is fine.
    page.wait_for(Duration::from_secs(3), |e| e == "connected").await;
    page.nats.publish(auth::session_login().subject(), vec![b'x'; payload as usize].into()).await.unwrap();
    page.nats.flush().await.unwrap();
    assert!(page.quiet(Duration::from_millis(300), |e| e.contains("error")).await, "a full-size publish");
    assert!(page.can_request().await);
}

#[tokio::test]
async fn the_gate_alone_refuses_to_start_beside_auth_whose_gate_it_is() {
    let server = NatsServer::start_conf(&dev_conf()).unwrap();
    let mut config = host_config(&server.url(), &["auth", "callout"]);
    config.nats_user = Some("service".into());
    config.nats_password = Some("service-test".into());
    let mut auth = auth_section(&key());
    auth["callout"] = callout_section();
    config.sections.insert("auth".into(), auth);
    let refused = match RunningHost::start(config, &chorus_nodes::registry()).await {
        Ok(_) => panic!("auth and callout started together"),
        Err(e) => format!("{e:#}"),
    };
    assert!(refused.contains("this node hosts auth"), "{refused}");
}

#[tokio::test]
async fn the_gate_alone_lets_pages_in_without_auth() {
    let server = NatsServer::start_conf(&dev_conf()).unwrap();
    let mut config = host_config(&server.url(), &["callout"]);
    config.nats_user = Some("service".into());
    config.nats_password = Some("service-test".into());
    config.sections.insert("auth".into(), json!({ "callout": callout_section() }));
    let _gate = RunningHost::start(config, &chorus_nodes::registry()).await.unwrap();
    let page = page(&server, &nonce()).await.expect("a page let in by the gate alone");
    page.close().await;
    let wrong = async_nats::ConnectOptions::with_user_and_password("web".into(), "not-it".into())
        .token(nonce())
        .connect(server.url())
        .await;
    assert!(wrong.is_err(), "a wrong web password is refused by the gate alone");
}
