//! The auth service: accounts, sessions, roles and the keys tokens are signed with.
//!
//! Users live in the JetStream KV bucket `chorus_auth` (a username is claimed
//! with a KV `create`, so it is unique across instances), sessions in
//! `chorus_auth_sessions`, failed-login counters in `chorus_auth_limits`.
//! Access tokens are EdDSA JWTs that every instance verifies locally with the
//! public keys this service publishes to the trust bucket (see
//! `chorus_host::auth`).
#![warn(missing_docs, unreachable_pub)]

mod accounts;
mod admin;
mod bootstrap;
pub mod callout;
mod config;
mod credentials;
mod directory;
mod hasher;
pub mod keys;
mod limits;
mod login;
mod me;
mod records;
mod refresh;
mod register;
mod sessions;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chorus_host::{with_state, EndpointDef, Fail, HostContext, ServiceDef};
use chorus_nats::messages::Empty;
use chorus_nats::subjects::auth as subjects;
use chorus_state::{catch_up, projector_child, Records, Source, View};
use futures::future::BoxFuture;

pub use config::{AuthConfig, BootstrapAdmin};

use accounts::Accounts;

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
        let users = Records::open(&js, records::BUCKET, config.replicas).await?;
        // A session unused for the refresh lifetime ages out with its refresh token.
        let refresh_ttl = Some(Duration::from_secs(config.refresh_ttl_s));
        let sessions = Records::open_expiring(&js, records::SESSIONS, config.replicas, refresh_ttl).await?;
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
        });
        if let Some(admin) = &config.bootstrap_admin {
            bootstrap::admin(&accounts, admin).await?;
        }
        let mut children = vec![projector_child(NAME, source, view.clone(), directory.clone())];
        if let Some(callout) = config.callout {
            children.push(callout::child(callout, ctx.config.clone())?);
        }
        Ok(ServiceDef {
            name: NAME,
            description: "Accounts, sessions, roles and signing keys",
            version: env!("CARGO_PKG_VERSION"),
            endpoints: endpoints(&accounts),
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

fn endpoints(a: &Arc<Accounts>) -> Vec<EndpointDef> {
    vec![
        EndpointDef {
            endpoint: subjects::user_register(),
            handler: with_state(a, |a, ctx, req| async move { register::register_listener(&a, &ctx, req).await }),
        },
        EndpointDef {
            endpoint: subjects::session_login(),
            handler: with_state(a, |a, ctx, req| async move { login::login(&a, ctx.client().as_deref(), req).await }),
        },
        EndpointDef {
            endpoint: subjects::session_refresh(),
            handler: with_state(a, |a, _, req| async move { refresh::refresh(&a, req).await }),
        },
        EndpointDef {
            endpoint: subjects::session_logout(),
            handler: with_state(a, |a, _, req| async move { refresh::logout(&a, req).await }),
        },
        EndpointDef {
            endpoint: subjects::key_list(),
            handler: with_state(a, |a, _, _: Empty| async move { Ok(a.issuer.keys.public()) }),
        },
        EndpointDef {
            endpoint: subjects::user_me(),
            handler: with_state(a, |a, ctx, _: Empty| async move { me::me(&a, ctx.caller()?).await }),
        },
        EndpointDef {
            endpoint: subjects::password_change(),
            handler: with_state(a, |a, ctx, req| async move { me::change_own_password(&a, &ctx, req).await }),
        },
        EndpointDef {
            endpoint: subjects::user_list(),
            handler: with_state(a, |a, _, req| async move { admin::list(&a, req) }),
        },
        EndpointDef {
            endpoint: subjects::user_disable(),
            handler: with_state(a, |a, ctx, req| async move { admin::disable(&a, &ctx, req, true).await }),
        },
        EndpointDef {
            endpoint: subjects::user_enable(),
            handler: with_state(a, |a, ctx, req| async move { admin::disable(&a, &ctx, req, false).await }),
        },
        EndpointDef {
            endpoint: subjects::role_grant(),
            handler: with_state(a, |a, ctx, req| async move { admin::change_role(&a, &ctx, req, true).await }),
        },
        EndpointDef {
            endpoint: subjects::role_revoke(),
            handler: with_state(a, |a, ctx, req| async move { admin::change_role(&a, &ctx, req, false).await }),
        },
    ]
}
