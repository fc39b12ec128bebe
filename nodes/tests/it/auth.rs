//! The auth service through the wire: accounts, sessions, token checks in
//! other services, roles, disabled users, rate limits, key rotation.

use crate::support;

use std::time::Duration;

use chorus_nats::messages::auth::*;
use chorus_nats::messages::catalog::{Artist, ArtistCreate};
use chorus_nats::messages::Empty;
use chorus_nats::{subjects::auth, ChorusClient, ClientError, Status};
use chorus_testkit::NatsServer;
use support::auth::{client, host, key, login, password, register, ADMIN};

fn status(r: &Result<impl std::fmt::Debug, ClientError>) -> (Option<Status>, Option<&str>) {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => (e.status(), e.code()),
    }
}

async fn me(c: &ChorusClient, token: &str) -> Result<User, ClientError> {
    c.clone().with_token(token).call(&UserMe {}).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_login_refresh_and_logout() {
    let server = NatsServer::start().unwrap();
    let _host = host(&server, &["auth"], &key()).await;
    let c = client(&server).await;
    let user = register(&c, "Ada").await.unwrap();
    assert_eq!((user.username.as_str(), user.roles.as_slice()), ("ada", &[Role::Listener][..]));

    let s = login(&c, "ADA", &password("Ada")).await.unwrap();
    assert_eq!(me(&c, &s.access_token).await.unwrap().id, user.id);
    let now = chorus_nats::clock::now_ms() / 1000;
    assert!((now + 14 * 60..=now + 15 * 60).contains(&s.expires_at), "15-minute access tokens");

    // Rotation: the new refresh token works once; the old one is a theft signal.
    let refresh = |t: &str| {
        let c = c.clone();
        let req = RefreshToken { refresh_token: t.to_string() };
        async move { c.call(&req).await }
    };
    let s2 = refresh(&s.refresh_token).await.unwrap();
    assert_ne!(s2.refresh_token, s.refresh_token);
    assert_eq!(me(&c, &s2.access_token).await.unwrap().id, user.id);
    let s3 = refresh(&s2.refresh_token).await.unwrap();
    assert_eq!(status(&refresh(&s.refresh_token).await), (Some(Status::Unauthorized), Some("refresh_token_reused")));
    // ...which ended the whole family: the newest token is dead too.
    assert_eq!(status(&refresh(&s3.refresh_token).await), (Some(Status::Unauthorized), Some("session_ended")));
    assert_eq!(status(&refresh("garbage").await), (Some(Status::Unauthorized), Some("invalid_refresh_token")));

    // Logout ends that session only.
    let a = login(&c, "ada", &password("Ada")).await.unwrap();
    let b = login(&c, "ada", &password("Ada")).await.unwrap();
    let _: Empty = c.call(&Logout { refresh_token: a.refresh_token.clone() }).await.unwrap();
    assert_eq!(status(&refresh(&a.refresh_token).await), (Some(Status::Unauthorized), Some("session_ended")));
    refresh(&b.refresh_token).await.unwrap();

    // Wrong password and unknown user look the same.
    let wrong = login(&c, "ada", "not the password").await;
    let nobody = login(&c, "nobody", "not the password").await;
    assert_eq!(status(&wrong), (Some(Status::Unauthorized), Some("invalid_credentials")));
    assert_eq!(status(&nobody), status(&wrong));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_rules() {
    let server = NatsServer::start().unwrap();
    let _host = host(&server, &["auth"], &key()).await;
    let c = client(&server).await;
    let cases = [
        ("ab", "ab@x.org", "long enough password", "invalid_username"),
        ("with space", "a@x.org", "long enough password", "invalid_username"),
        ("bob", "not-an-email", "long enough password", "invalid_email"),
        ("bob", "bob@x.org", "short", "weak_password"),
        ("bob", "bob@x.org", "qwertyuiop", "common_password"),
        ("bob", "bob@x.org", "Password123", "common_password"),
    ];
    for (username, email, password, code) in cases {
        let req = Register { username: username.into(), email: email.into(), password: password.into() };
        let r = c.call(&req).await;
        assert_eq!(status(&r), (Some(Status::BadRequest), Some(code)), "{username} {email} {password}");
    }
    register(&c, "bob").await.unwrap();
    assert_eq!(status(&register(&c, "BOB").await), (Some(Status::Conflict), Some("username_taken")));
    // Garbage is a 400, not a timeout.
    let e = c.request_raw(&auth::user_register().subject(), "{\"username\": 1}".into(), Default::default()).await;
    assert_eq!(e.unwrap_err().status(), Some(Status::BadRequest));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_registrations_of_one_name_through_two_instances() {
    let server = NatsServer::start().unwrap();
    let keys = key();
    let _a = host(&server, &["auth"], &keys).await;
    let _b = host(&server, &["auth"], &keys).await;
    let c = client(&server).await.with_timeout(Duration::from_secs(20));
    let results = futures::future::join_all((0..50).map(|_| {
        let c = c.clone();
        async move { register(&c, "popular").await }
    }))
    .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(results.iter().filter_map(|r| r.as_ref().err()).all(|e| e.code() == Some("username_taken")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_services_check_tokens_locally() {
    let server = NatsServer::start().unwrap();
    let _host = host(&server, &["auth", "catalog"], &key()).await;
    let c = client(&server).await;
    register(&c, "eve").await.unwrap();
    let eve = login(&c, "eve", &password("eve")).await.unwrap();
    let create = |token: Option<String>| {
        let mut c = c.clone();
        if let Some(t) = token {
            c = c.with_token(t);
        }
        let artist = Artist {
            id: uuid::Uuid::nil(),
            name: "Test".into(),
            sort_name: String::new(),
            mbid: None,
            image: None,
            added_at: 0,
            revision: 0,
        };
        async move { c.call(&ArtistCreate(artist)).await }
    };
    assert_eq!(status(&create(None).await), (Some(Status::Unauthorized), Some("missing_token")));
    assert_eq!(status(&create(Some("not.a.jwt".into())).await), (Some(Status::Unauthorized), Some("invalid_token")));
    // A listener is signed in but not an admin.
    assert_eq!(status(&create(Some(eve.access_token.clone())).await), (Some(Status::Forbidden), Some("forbidden")));

    // Tampered: the payload says admin, the signature says otherwise.
    let parts: Vec<&str> = eve.access_token.split('.').collect();
    let mut claims: Claims = serde_json::from_slice(&b64(parts[1])).unwrap();
    claims.roles.push(Role::Admin);
    let forged = format!("{}.{}.{}", parts[0], unb64(&serde_json::to_vec(&claims).unwrap()), parts[2]);
    assert_eq!(status(&create(Some(forged)).await), (Some(Status::Unauthorized), Some("invalid_token")));

    // Signed by a key nobody published.
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let unknown = chorus_host::auth::token::sign(&claims, "stranger", &stranger);
    assert_eq!(status(&create(Some(unknown)).await), (Some(Status::Unauthorized), Some("unknown_key")));

    // Expired: issued by a trusted key with a clock an hour behind.
    let issuer = chorus_testkit::TestIssuer::publish(c.nats()).await.unwrap();
    let hour_ago = chorus_nats::clock::now_ms() / 1000 - 3600;
    let old = Claims { iat: hour_ago, exp: hour_ago + 900, ..claims.clone() };
    assert_eq!(status(&create(Some(issuer.sign(&old))).await), (Some(Status::Unauthorized), Some("token_expired")));
    // The same claims, current, from that key: accepted.
    let fresh = Claims { iat: hour_ago + 3600, exp: hour_ago + 3600 + 900, ..claims };
    create(Some(issuer.sign(&fresh))).await.unwrap();

    // The bootstrap admin may write.
    let root = login(&c, ADMIN.0, ADMIN.1).await.unwrap();
    assert!(root.user.roles.contains(&Role::Admin));
    create(Some(root.access_token)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_manage_users_and_disabled_users_are_locked_out_at_once() {
    let server = NatsServer::start().unwrap();
    let _host = host(&server, &["auth"], &key()).await;
    let c = client(&server).await;
    let root = login(&c, ADMIN.0, ADMIN.1).await.unwrap();
    let admin = c.clone().with_token(root.access_token.clone());
    let mallory = register(&c, "mallory").await.unwrap();
    let m = login(&c, "mallory", &password("mallory")).await.unwrap();
    let as_mallory = c.clone().with_token(m.access_token.clone());

    // Listing is for admins.
    let r = as_mallory.call(&UserList::default()).await;
    assert_eq!(status(&r), (Some(Status::Forbidden), Some("forbidden")));
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page: UserPage = admin.call(&UserList { cursor, limit: Some(1) }).await.unwrap();
        seen.extend(page.users.into_iter().map(|u| u.username));
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    assert_eq!(seen, ["mallory", "root"]);

    // Disabled: the access token stops working at once, sign-in and refresh too.
    let _: User = admin.call(&UserDisable { user_id: mallory.id }).await.unwrap();
    let mut refused = None;
    for _ in 0..50 {
        match me(&c, &m.access_token).await {
            Err(e) => {
                refused = Some(e);
                break;
            }
            Ok(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    let refused = refused.expect("the disabled user's token stopped working");
    assert_eq!((refused.status(), refused.code()), (Some(Status::Unauthorized), Some("user_disabled")));
    assert_eq!(
        status(&login(&c, "mallory", &password("mallory")).await),
        (Some(Status::Forbidden), Some("account_disabled"))
    );
    let r = c.call(&RefreshToken { refresh_token: m.refresh_token.clone() }).await;
    assert_eq!(status(&r), (Some(Status::Forbidden), Some("account_disabled")));
    let r = admin.call(&UserDisable { user_id: root.user.id }).await;
    assert_eq!(status(&r), (Some(Status::BadRequest), Some("cannot_change_self")));

    // Enabled and promoted: the next token carries the role.
    let _: User = admin.call(&UserEnable { user_id: mallory.id }).await.unwrap();
    let u: User = admin.call(&RoleGrant { user_id: mallory.id, role: Role::Admin }).await.unwrap();
    assert!(u.roles.contains(&Role::Admin));
    let m2 = login(&c, "mallory", &password("mallory")).await.unwrap();
    let page: UserPage = c.clone().with_token(m2.access_token).call(&UserList::default()).await.unwrap();
    assert_eq!(page.users.len(), 2);
    let unknown = uuid::Uuid::now_v7();
    let r = admin.call(&UserEnable { user_id: unknown }).await;
    assert_eq!(status(&r), (Some(Status::NotFound), Some("user_not_found")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_back_off_per_username_and_per_client_across_instances() {
    let server = NatsServer::start().unwrap();
    let keys = key();
    let _a = host(&server, &["auth"], &keys).await;
    let _b = host(&server, &["auth"], &keys).await;
    let c = client(&server).await;
    register(&c, "target").await.unwrap();
    register(&c, "other").await.unwrap();
    for _ in 0..5 {
        let r = login(&c, "target", "wrong password!").await;
        assert_eq!(status(&r), (Some(Status::Unauthorized), Some("invalid_credentials")));
    }
    // Sixth try, right password or not, from this client or another: wait.
    for c in [c.clone(), client(&server).await] {
        let e = login(&c, "target", &password("target")).await.unwrap_err();
        assert_eq!((e.status(), e.code()), (Some(Status::TooManyRequests), Some("too_many_attempts")));
        let ClientError::Service { retry_after_ms: Some(ms), .. } = e else { panic!("no retry_after_ms: {e:?}") };
        assert!((1..=1000).contains(&ms), "{ms}");
    }
    // This client is limited for every username now; a fresh client is not.
    let e = login(&c, "other", &password("other")).await.unwrap_err();
    assert_eq!(e.code(), Some("too_many_attempts"));
    login(&client(&server).await, "other", &password("other")).await.unwrap();
    // After the wait the right password works and clears the count.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    login(&client(&server).await, "target", &password("target")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_password_ends_every_other_session() {
    let server = NatsServer::start().unwrap();
    let _host = host(&server, &["auth"], &key()).await;
    let c = client(&server).await;
    register(&c, "carol").await.unwrap();
    let here = login(&c, "carol", &password("carol")).await.unwrap();
    let there = login(&c, "carol", &password("carol")).await.unwrap();
    let change = ChangePassword { current_password: password("carol"), new_password: "a brand new secret".into() };
    let as_here = c.clone().with_token(here.access_token.clone());
    let wrong = ChangePassword { current_password: "guess guess guess".into(), ..change.clone() };
    let r = as_here.call(&wrong).await;
    assert_eq!(status(&r), (Some(Status::Unauthorized), Some("invalid_credentials")));
    let _: Empty = as_here.call(&change).await.unwrap();
    let refresh = |t: &str| {
        let (c, req) = (c.clone(), RefreshToken { refresh_token: t.into() });
        async move { c.call(&req).await }
    };
    assert_eq!(status(&refresh(&there.refresh_token).await), (Some(Status::Unauthorized), Some("session_ended")));
    refresh(&here.refresh_token).await.unwrap();
    assert_eq!(status(&login(&c, "carol", &password("carol")).await).1, Some("invalid_credentials"));
    login(&c, "carol", "a brand new secret").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_rotate_without_signing_anyone_out() {
    let server = NatsServer::start().unwrap();
    let (old, new) = (key(), key());
    let host_a = host(&server, &["auth"], &old).await;
    let c = client(&server).await;
    register(&c, "dan").await.unwrap();
    let before = login(&c, "dan", &password("dan")).await.unwrap();
    host_a.drain().await.unwrap();
    // The new key signs; the old one still verifies.
    let _b = host(&server, &["auth"], &format!("{new}\n{old}")).await;
    let keys: KeySet = c.call(&KeyList {}).await.unwrap();
    let kids: Vec<&str> = keys.keys.iter().map(|k| k.kid.as_str()).collect();
    assert_eq!(kids, [new.split(':').next().unwrap(), old.split(':').next().unwrap()]);
    assert!(keys.keys.iter().all(|k| k.alg == "EdDSA" && k.crv == "Ed25519"));
    me(&c, &before.access_token).await.unwrap();
    let after = c.call(&RefreshToken { refresh_token: before.refresh_token }).await.unwrap();
    me(&c, &after.access_token).await.unwrap();
    assert_ne!(header_kid(&after.access_token), header_kid(&before.access_token));
}

fn header_kid(token: &str) -> String {
    let header: serde_json::Value = serde_json::from_slice(&b64(token.split('.').next().unwrap())).unwrap();
    header["kid"].as_str().unwrap().to_string()
}

fn b64(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).unwrap()
}

fn unb64(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_catalog_needs_sign_in_to_browse() {
    let server = NatsServer::start().unwrap();
    let tracks = support::seed(&server, 3).await;
    let mut config = chorus_testkit::host_config(&server.url(), &["auth", "catalog", "search"]);
    config.sections.insert("auth".into(), support::auth::auth_section(&key()));
    config.sections.insert("catalog".into(), serde_json::json!({"require_sign_in": true}));
    let _host = chorus_host::host::RunningHost::start(config, &chorus_nodes::registry()).await.unwrap();
    let c = client(&server).await;
    let get = chorus_nats::messages::catalog::TrackGet { id: tracks[0].id };
    let r = c.call(&get).await;
    assert_eq!(status(&r), (Some(Status::Unauthorized), Some("missing_token")));
    // Cover art and search are browsing too.
    let art = chorus_nats::messages::catalog::ArtGet { name: "cover.jpg".into() };
    let r = c.call(&art).await;
    assert_eq!(status(&r), (Some(Status::Unauthorized), Some("missing_token")));
    let query: chorus_nats::messages::search::SearchQuery =
        serde_json::from_value(serde_json::json!({"q": "a"})).unwrap();
    let r = c.call(&query).await;
    assert_eq!(status(&r), (Some(Status::Unauthorized), Some("missing_token")));
    register(&c, "fay").await.unwrap();
    let fay = login(&c, "fay", &password("fay")).await.unwrap();
    let t: chorus_nats::messages::catalog::Track = c.clone().with_token(fay.access_token).call(&get).await.unwrap();
    assert_eq!(t.id, tracks[0].id);
}

/// Attempts are reserved before their password is hashed: ten wrong
/// passwords at once for one username are not all checked, none is a 500,
/// and the right password still works once the wait is over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_wrong_passwords_are_counted_before_they_are_checked() {
    let server = NatsServer::start().unwrap();
    let _host = host(&server, &["auth"], &key()).await;
    let c = client(&server).await;
    register(&c, "erin").await.unwrap();
    // Each from a connection of its own, so only the username's counter binds.
    let mut clients = Vec::new();
    for _ in 0..10 {
        clients.push(client(&server).await);
    }
    let tries = clients.iter().map(|c| login(c, "erin", "wrong password!"));
    let results = futures::future::join_all(tries).await;
    let codes: Vec<_> = results.iter().map(|r| status(r)).collect();
    let checked = codes.iter().filter(|c| c.1 == Some("invalid_credentials")).count();
    let limited = codes.iter().filter(|c| c.0 == Some(Status::TooManyRequests)).count();
    assert!(checked <= 5, "{checked} of 10 concurrent wrong passwords were checked: {codes:?}");
    assert_eq!(checked + limited, 10, "every attempt is a 401 or a 429: {codes:?}");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    login(&client(&server).await, "erin", &password("erin")).await.unwrap();
}

/// A stolen access token is no way to guess the password: wrong current
/// passwords count like failed sign-ins of the account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_current_passwords_are_limited_like_sign_ins() {
    let server = NatsServer::start().unwrap();
    let _host = host(&server, &["auth"], &key()).await;
    let c = client(&server).await;
    register(&c, "frank").await.unwrap();
    let s = login(&c, "frank", &password("frank")).await.unwrap();
    let thief = client(&server).await.with_token(s.access_token);
    let mut codes = Vec::new();
    for i in 0..8 {
        let guess =
            ChangePassword { current_password: format!("guess number {i}"), new_password: "a brand new secret".into() };
        let r = thief.call(&guess).await;
        let (st, code) = status(&r);
        codes.push((st, code.map(str::to_string)));
    }
    assert_eq!(codes.iter().filter(|c| c.1.as_deref() == Some("invalid_credentials")).count(), 5, "{codes:?}");
    assert!(codes[5..].iter().all(|c| c.1.as_deref() == Some("too_many_attempts")), "{codes:?}");
    // The account's sign-in waits too, whoever tries.
    let e = login(&client(&server).await, "frank", &password("frank")).await;
    assert_eq!(status(&e).1, Some("too_many_attempts"));
}

/// Passwords past 1,024 bytes are refused before hashing, at every entrance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_passwords_are_refused_at_every_entrance() {
    let server = NatsServer::start().unwrap();
    let _host = host(&server, &["auth"], &key()).await;
    let c = client(&server).await;
    register(&c, "gina").await.unwrap();
    let long = "x".repeat(900 * 1024);
    assert_eq!(status(&login(&c, "gina", &long).await), (Some(Status::BadRequest), Some("password_too_long")));
    let reg = Register { username: "hank".into(), email: "hank@example.com".into(), password: long.clone() };
    assert_eq!(status(&c.call(&reg).await).1, Some("password_too_long"));
    let s = login(&c, "gina", &password("gina")).await.unwrap();
    let change = ChangePassword { current_password: long, new_password: "a brand new secret".into() };
    let r = c.clone().with_token(s.access_token).call(&change).await;
    assert_eq!(status(&r).1, Some("password_too_long"));
}

/// While the instance's failure budget is spent, connections and accounts
/// with failures are refused before hashing; a clean sign-in still works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spent_failure_budget_refuses_the_failing_and_lets_a_listener_in() {
    let server = NatsServer::start().unwrap();
    let mut config = chorus_testkit::host_config(&server.url(), &["auth"]);
    let mut section = support::auth::auth_section(&key());
    section["failed_logins_per_s"] = 1.into();
    section["failed_logins_burst"] = 2.into();
    config.sections.insert("auth".into(), section);
    let _host = chorus_host::host::RunningHost::start(config, &chorus_nodes::registry()).await.unwrap();
    let c = client(&server).await;
    for name in ["ivy", "jack", "kim"] {
        register(&c, name).await.unwrap();
    }
    let attacker = client(&server).await;
    for name in ["ivy", "jack"] {
        assert_eq!(status(&login(&attacker, name, "wrong password!").await).1, Some("invalid_credentials"));
    }
    // The budget is spent: the attacker's connection has failures counted.
    let r = login(&attacker, "kim", "wrong password!").await;
    assert_eq!(status(&r), (Some(Status::TooManyRequests), Some("login_busy")));
    // A listener on a clean connection, with a clean account, signs in.
    login(&client(&server).await, "kim", &password("kim")).await.unwrap();
}

/// A token outlives nothing: when a user's record is gone (deleted by an
/// operator, or lost), every service refuses their still-unexpired tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_of_a_user_whose_record_is_gone_are_refused_everywhere() {
    let server = NatsServer::start().unwrap();
    let _host = host(&server, &["auth", "profile"], &key()).await;
    let c = client(&server).await;
    let lee = register(&c, "lee").await.unwrap();
    let s = login(&c, "lee", &password("lee")).await.unwrap();
    let as_lee = c.clone().with_token(s.access_token.clone());
    let list = chorus_nats::messages::profile::FavoriteList::default();
    let favorites = |c: ChorusClient| {
        let list = list.clone();
        async move { c.call(&list).await }
    };
    favorites(as_lee.clone()).await.unwrap();
    let js = async_nats::jetstream::new(server.connect().await.unwrap());
    js.get_key_value("chorus_auth").await.unwrap().delete(format!("user.{}", lee.id)).await.unwrap();
    let mut refused = None;
    for _ in 0..50 {
        match favorites(as_lee.clone()).await {
            Err(e) if e.code() == Some("user_disabled") => {
                refused = Some(e);
                break;
            }
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    assert!(refused.is_some(), "a token of a deleted user is still accepted by profile");
}

/// Asking for exactly `seq` (`Chorus-Min-Seq`), from a client that has seen no write.
fn at(seq: u64) -> chorus_nats::RequestOptions {
    chorus_nats::RequestOptions { min_seq: Some(seq), ..Default::default() }
}

/// Writes of users (`user.register`, `password.change`, the admin's) carry
/// `Chorus-Seq`, the users bucket's, and any instance asked for it lists the
/// change. Sessions are read from their own bucket, never from a view: their
/// writes carry no sequence, and hold on any instance without one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_writes_are_listed_by_any_instance_asked_for_their_sequence() {
    let server = NatsServer::start().unwrap();
    let keys = key();
    let _a = host(&server, &["auth"], &keys).await;
    let _b = host(&server, &["auth"], &keys).await;
    let c = client(&server).await;
    let root = login(&c, ADMIN.0, ADMIN.1).await.unwrap();
    let admin = c.fresh().with_token(root.access_token.clone());
    let listed = |seq: u64| {
        let admin = admin.fresh();
        async move {
            let req = UserList { cursor: None, limit: Some(500) };
            admin.call_with(&req, at(seq)).await.unwrap().users
        }
    };
    let written = |w: &ChorusClient, what: &str| {
        let seq = w.seen_seq(auth::SERVICE);
        assert!(seq > 0, "{what}: no Chorus-Seq on the reply");
        seq
    };
    let refresh = |t: &str| {
        let (c, req) = (c.fresh(), RefreshToken { refresh_token: t.into() });
        async move { c.call(&req).await }
    };
    // Enough rounds that each step lands on both instances.
    for round in 0..4 {
        let name = format!("listener{round}");
        let w = c.fresh();
        let user = register(&w, &name).await.unwrap();
        let seq = written(&w, "user.register");
        assert!(listed(seq).await.iter().any(|u| u.id == user.id), "round {round}: user.list misses the new user");

        let w = c.fresh();
        let s = login(&w, &name, &password(&name)).await.unwrap();
        assert_eq!(w.seen_seq(auth::SERVICE), 0, "session.login: a session's sequence is not the users'");
        let s = refresh(&s.refresh_token).await.unwrap();
        assert_eq!(me(&c.fresh(), &s.access_token).await.unwrap().id, user.id);
        let w = c.fresh().with_token(s.access_token.clone());
        let change = ChangePassword { current_password: password(&name), new_password: format!("{name} sings along") };
        let _: Empty = w.call(&change).await.unwrap();
        written(&w, "password.change");
        login(&c.fresh(), &name, &change.new_password).await.unwrap();

        let w = admin.fresh();
        let _: User = w.call(&RoleGrant { user_id: user.id, role: Role::Admin }).await.unwrap();
        let seq = written(&w, "role.grant");
        let u = listed(seq).await.into_iter().find(|u| u.id == user.id).unwrap();
        assert!(u.roles.contains(&Role::Admin), "round {round}: user.list misses the granted role");
        let w = admin.fresh();
        let _: User = w.call(&RoleRevoke { user_id: user.id, role: Role::Admin }).await.unwrap();
        let seq = written(&w, "role.revoke");
        let u = listed(seq).await.into_iter().find(|u| u.id == user.id).unwrap();
        assert!(!u.roles.contains(&Role::Admin), "round {round}: user.list still has the revoked role");

        let w = admin.fresh();
        let _: User = w.call(&UserDisable { user_id: user.id }).await.unwrap();
        let seq = written(&w, "user.disable");
        assert!(listed(seq).await.iter().any(|u| u.id == user.id && u.disabled), "round {round}: user.disable");
        let w = admin.fresh();
        let _: User = w.call(&UserEnable { user_id: user.id }).await.unwrap();
        let seq = written(&w, "user.enable");
        assert!(listed(seq).await.iter().any(|u| u.id == user.id && !u.disabled), "round {round}: user.enable");

        // A logout on one instance ends the session on every other, with no sequence to ask for.
        let s = login(&c.fresh(), &name, &change.new_password).await.unwrap();
        let _: Empty = c.fresh().call(&Logout { refresh_token: s.refresh_token.clone() }).await.unwrap();
        assert_eq!(status(&refresh(&s.refresh_token).await), (Some(Status::Unauthorized), Some("session_ended")));
    }

    // A list that names the next sequence waits for it: sent before the write, it has the write.
    let target = register(&c.fresh(), "latecomer").await.unwrap();
    let js = async_nats::jetstream::new(server.connect().await.unwrap());
    let next = js.get_stream("KV_chorus_auth").await.unwrap().info().await.unwrap().state.last_sequence + 1;
    let read = tokio::spawn(listed(next));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _: User = admin.fresh().call(&RoleGrant { user_id: target.id, role: Role::Admin }).await.unwrap();
    let users = read.await.unwrap();
    let u = users.iter().find(|u| u.id == target.id).expect("the latecomer is listed");
    assert!(u.roles.contains(&Role::Admin), "the list did not wait for the grant");
    // The wait is bounded: a sequence no write reaches gets 503.
    let patient = admin.fresh().with_timeout(Duration::from_secs(5));
    let r = patient.call_with(&UserList::default(), at(next + 1_000)).await;
    assert_eq!(status(&r), (Some(Status::Unavailable), Some("not_caught_up")));
}
