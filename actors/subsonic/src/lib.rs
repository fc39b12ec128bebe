//! Chorus's OpenSubsonic gateway: the Subsonic apps listeners already use
//! (Symfonium, Feishin, DSub, Ultrasonic, substreamer) over HTTP on one
//! side, Chorus's services over NATS on the other.
//!
//! A service like any other, hosted by `chorus-node` (`services = ["subsonic"]`):
//! it answers no NATS subject of its own, but its instances are listed by
//! `$SRV` discovery, supervised, configured and scaled as every service is.
//! Each HTTP request signs in with an app password or API key (auth's
//! `app_password.sign_in`) and calls the other services with the
//! listener's own access token, so every rule of theirs — access,
//! entitlements, playback sessions, caps and rate limits — holds for the
//! apps as it does for the web player. No state of its own: any instance
//! answers any request.
#![warn(missing_docs, unreachable_pub)]

mod annotations;
mod browsing;
mod config;
mod discovery;
mod ids;
mod lists;
mod media;
mod params;
mod playlists;
mod queue;
mod reply;
mod searching;
mod server;
mod shape;
mod signin;

use std::sync::Arc;

use chorus_host::{ChildSpec, HostContext, ServiceDef};
use futures::future::BoxFuture;

pub use config::SubsonicConfig;

/// Service name (micro name).
pub const NAME: &str = "subsonic";

/// Build a gateway instance: the HTTP listener is a supervised child.
pub fn service(ctx: HostContext) -> BoxFuture<'static, anyhow::Result<ServiceDef>> {
    Box::pin(async move {
        let config: SubsonicConfig = ctx.config.section(NAME)?;
        let gateway = Arc::new(server::Gateway::new(ctx.nats.clone(), config.clone()));
        let listen = config.listen.clone();
        let draining = ctx.draining.clone();
        let child = ChildSpec::actor(format!("{NAME}-http"), true, move || {
            (server::HttpServer, (listen.clone(), gateway.clone(), draining.clone()))
        });
        Ok(ServiceDef {
            name: NAME,
            description: "OpenSubsonic gateway: Subsonic apps over HTTP",
            version: env!("CARGO_PKG_VERSION"),
            endpoints: Vec::new(),
            children: vec![child],
            gate: None,
            workload: chorus_host::Workload::Waiting,
            metadata: vec![("listen".into(), config.listen)],
        })
    })
}
