//! A whole listener-facing stack in one host (auth, catalog, profile, stream, payment)
//! with imported demo audio, and signed-in clients.

use std::time::Duration;

use chorus_host::host::RunningHost;
use chorus_nats::messages::catalog::{Track, TrackList, TrackPage};
use chorus_nats::ChorusClient;
use chorus_testkit::{host_config, NatsServer};

use super::auth::{auth_section, client, key, login, password, register, ADMIN};

/// The stack, and the tracks imported (a few demo files).
pub struct Stack {
    pub server: NatsServer,
    pub host: RunningHost,
    pub tracks: Vec<Track>,
}

/// Start the stack; `stream` overrides `[stream]` settings.
pub async fn start(files: usize, stream: serde_json::Value) -> Stack {
    let server = NatsServer::start().expect("nats-server");
    let mut config = host_config(&server.url(), &["auth", "catalog", "profile", "stream", "payment"]);
    config.sections.insert("auth".into(), auth_section(&key()));
    config.sections.insert("catalog".into(), serde_json::json!({"allow_writes": true}));
    config.sections.insert("stream".into(), stream);
    let host = match RunningHost::start(config, &chorus_nodes::registry()).await {
        Ok(h) => h,
        Err(e) => panic!("stack: {e:#}"),
    };
    let music = tempfile::tempdir().unwrap();
    let calm = super::demo_music().join("calm");
    let mut names: Vec<_> = std::fs::read_dir(&calm).unwrap().flatten().map(|e| e.path()).collect();
    names.sort();
    for path in names.into_iter().take(files) {
        std::fs::copy(&path, music.path().join(path.file_name().unwrap())).unwrap();
    }
    let admin = client(&server).await.with_timeout(Duration::from_secs(20));
    let root = login(&admin, ADMIN.0, ADMIN.1).await.unwrap();
    let admin = admin.with_token(root.access_token);
    chorus_nodes::import::run(&admin, music.path(), "Demo", false).await.expect("import");
    let page: TrackPage = admin.call(&TrackList::default()).await.unwrap();
    Stack { server, host, tracks: page.tracks }
}

impl Stack {
    /// A new listener, signed in: their client (with token) and user id.
    pub async fn listener(&self, name: &str) -> (ChorusClient, uuid::Uuid) {
        let c = client(&self.server).await.with_timeout(Duration::from_secs(10));
        let user = register(&c, name).await.unwrap();
        let s = login(&c, name, &password(name)).await.unwrap();
        (c.with_token(s.access_token), user.id)
    }
}
