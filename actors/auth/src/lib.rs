//! The auth service: accounts, sessions, roles and the keys tokens are signed with.
//!
//! Users live in the JetStream KV bucket `chorus_auth` (a username is claimed
//! with a KV `create`, so it is unique across instances), sessions in
//! `chorus_auth_sessions`, failed-login counters in `chorus_auth_limits`.
//! Access tokens are EdDSA JWTs that every instance verifies locally with the
//! public keys this service publishes to the trust bucket (see
//! `chorus_host::auth`).
#![warn(missing_docs, unreachable_pub)]

mod admin;
mod apps;
mod bootstrap;
pub mod callout;
mod close;
mod config;
mod credentials;
mod directory;
mod hasher;
pub mod keys;
mod limits;
mod login;
mod me;
mod own_sessions;
mod records;
mod refresh;
mod register;
mod sessions;
mod state;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chorus_host::{Fail, HostContext, Routes, ServiceDef};
use chorus_nats::messages::auth::{
    AccountClose, AppPasswordCreate, AppPasswordList, AppPasswordRevoke, AppSignIn, ChangePassword, KeyList, Login,
    Logout, RefreshToken, Register, RoleGrant, RoleRevoke, SessionEnd, SessionEndOthers, SessionList, UserDisable,
    UserEnable, UserList, UserMe,
};
use chorus_nats::subjects::auth as subjects;
use chorus_state::{catch_up, projector_child, Records, Source, View};
use futures::future::BoxFuture;

pub use config::{AuthConfig, BootstrapAdmin};

use state::Accounts;

/// Service name, micro name and queue group.
pub const NAME: &str = subjects::SERVICE;

/// Build an auth instance: open the buckets, publish the public keys, load
/// the user directory, create the bootstrap admin, hand the endpoints over.
pub fn service(ctx: HostContext) -> BoxFuture<'static, anyhow::Result<ServiceDef>> {
    Box::pin(async move {
        let config: AuthConfig = ctx.config.section(NAME)?;
        let keys = keys::SigningKeys::load(&config)?;
        let js = ctx.jetstream();
        let trust = chorus_host::auth::watch::open(&js, config.replicas).await?;
        keys.publish(&trust).await?;
        // Sign-in and refresh decide on what they read: from the leader.
        let users = Records::open(&js, records::BUCKET, config.replicas).await?.reading_from_leader();
        // A session unused for the refresh lifetime ages out with its refresh token.
        let refresh_ttl = Some(Duration::from_secs(config.refresh_ttl_s));
        let sessions =
            Records::open_expiring(&js, records::SESSIONS, config.replicas, refresh_ttl).await?.reading_from_leader();
        let limiter = limits::Limiter::open(
            &js,
            config.replicas,
            config.free_failures,
            Duration::from_secs(config.max_backoff_s),
            config.failed_logins_per_s,
            config.failed_logins_burst,
        )
        .await?;
        let hasher = hasher::Hasher::new(
            config.argon2_memory_kib,
            config.argon2_iterations,
            config.hashing_concurrency,
            config.hashing_queue,
        )?;
        let directory = Arc::new(directory::Directory::new(trust.clone()));
        let view = Arc::new(View::revision_only());
        let source = Source::Bucket(users.store().clone());
        catch_up(&source, &view, directory.as_ref()).await.context("loading the user directory")?;
        let accounts = Arc::new(Accounts {
            users,
            sessions,
            limiter,
            hasher,
            issuer: sessions::Issuer { keys, access_ttl_s: config.access_ttl_s },
            directory: directory.clone(),
            trust,
            entitlements: Records::open(&js, chorus_nats::records::payment::BUCKET, config.replicas).await?,
            js: js.clone(),
            apps: apps::Apps::open(&js, config.replicas).await?,
        });
        chorus_state::closures::open(&js, config.replicas).await?;
        if let Some(admin) = &config.bootstrap_admin {
            bootstrap::admin(&accounts, admin).await?;
        }
        let eraser = {
            let accounts = accounts.clone();
            Arc::new(move |closure| {
                let a = accounts.clone();
                Box::pin(async move { close::erase(&a, closure).await }) as futures::future::BoxFuture<'static, _>
            })
        };
        let mut children = vec![
            projector_child(NAME, source, view.clone(), directory.clone()),
            chorus_state::closures::eraser_child(NAME, js.clone(), config.replicas, eraser),
        ];
        if let Some(callout) = config.callout {
            children.push(callout::child(callout, ctx.config.clone())?);
        }
        Ok(ServiceDef {
            name: NAME,
            description: "Accounts, sessions, roles and signing keys",
            version: env!("CARGO_PKG_VERSION"),
            endpoints: routes(accounts).into_endpoints(),
            children,
            // Read-your-writes in the users bucket's sequence, which the
            // replies to writes of users carry; sessions and sign-in counters
            // are read from their buckets, never from a view, and carry none.
            gate: Some(view),
            workload: chorus_host::Workload::Waiting,
            metadata: vec![("users".into(), directory.len().to_string())],
        })
    })
}

/// Every auth endpoint, in `subjects.md` order.
fn routes(accounts: Arc<Accounts>) -> Routes<Accounts> {
    Routes::new(accounts)
        .route(|a, ctx, req: Register| async move { register::register_listener(&a, &ctx, req).await })
        .route(|a, ctx, req: Login| async move { login::login(&a, ctx.client().as_deref(), req).await })
        .route(|a, _, req: RefreshToken| async move { refresh::refresh(&a, req).await })
        .route(|a, _, req: Logout| async move { refresh::logout(&a, &req.refresh_token).await })
        .route(|a, ctx, _: SessionList| async move { own_sessions::list(&a, ctx.caller()?).await })
        .route(|a, ctx, req: SessionEnd| async move { own_sessions::end(&a, ctx.caller()?, req.id).await })
        .route(|a, ctx, _: SessionEndOthers| async move { own_sessions::end_others(&a, &ctx).await })
        .route(|a, _, _: KeyList| async move { Ok(a.issuer.keys.public()) })
        .route(|a, ctx, _: UserMe| async move { me::me(&a, ctx.caller()?).await })
        .route(|a, ctx, req: ChangePassword| async move { me::change_own_password(&a, &ctx, req).await })
        .route(|a, ctx, req: AccountClose| async move { close::close(&a, &ctx, req).await })
        .route(|a, ctx, req: AppPasswordCreate| async move { apps::create(&a, ctx.caller()?, req).await })
        .route(|a, ctx, _: AppPasswordList| async move { apps::list(&a, ctx.caller()?).await })
        .route(|a, ctx, req: AppPasswordRevoke| async move { apps::revoke(&a, ctx.caller()?, req.id).await })
        .route(|a, ctx, req: AppSignIn| async move { apps::sign_in(&a, &ctx, req).await })
        .route(|a, _, req: UserList| async move { admin::list(&a, req) })
        .route(|a, ctx, req: UserDisable| async move { admin::disable(&a, &ctx, req.user_id, true).await })
        .route(|a, ctx, req: UserEnable| async move { admin::disable(&a, &ctx, req.user_id, false).await })
        .route(|a, ctx, req: RoleGrant| async move { admin::change_role(&a, &ctx, req.user_id, req.role, true).await })
        .route(
            |a, ctx, req: RoleRevoke| async move { admin::change_role(&a, &ctx, req.user_id, req.role, false).await },
        )
}
