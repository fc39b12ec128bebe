//! What a scenario runs on: nats-server(s) and `chorus-node` processes with
//! every service, the demo audio imported, and a probe of every service.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chorus_nats::messages::auth::{KeyList, Role};
use chorus_nats::messages::catalog::{ArtistList, TrackList, TrackPage};
use chorus_nats::messages::payment::PlanList;
use chorus_nats::messages::profile::FavoriteList;
use chorus_nats::messages::search::SearchQuery;
use chorus_nats::ChorusClient;
use chorus_testkit::{ChildNode, TestIssuer};

use super::mix::Mix;

/// The services a node hosts and the probe asks (recommend and subsonic are
/// hosted too; the mix does not use them).
pub(crate) const SERVICES: [&str; 6] = ["auth", "catalog", "search", "profile", "stream", "payment"];

/// The `chorus-node` processes of a scenario, on one server URL each.
pub(crate) struct Nodes {
    bin: PathBuf,
    env: Vec<(String, String)>,
    pub(crate) nodes: Vec<Option<ChildNode>>,
    urls: Vec<String>,
    pub(crate) data: tempfile::TempDir,
}

impl Nodes {
    /// `n` nodes, node `i` on `urls[i % len]`, with `extra` settings (R3 in a cluster).
    pub(crate) fn start(urls: Vec<String>, n: usize, extra: &[(&str, &str)]) -> anyhow::Result<Self> {
        let bin = std::env::current_exe()?.with_file_name("chorus-node");
        anyhow::ensure!(bin.exists(), "{} is missing: cargo build -p chorus-nodes --bin chorus-node", bin.display());
        let keys = chorus_auth::keys::SigningKeys::generate();
        let mut env: Vec<(String, String)> = [
            ("CHORUS_AUTH__SIGNING_KEYS", keys.as_str()),
            // Cheap hashing: the suite counts writes, the auth bench measures argon2.
            ("CHORUS_AUTH__ARGON2_MEMORY_KIB", "64"),
            ("CHORUS_AUTH__ARGON2_ITERATIONS", "1"),
            ("CHORUS_CATALOG__ALLOW_WRITES", "true"),
            ("CHORUS_STREAM__PLAY_THRESHOLD_MS", "1000"),
            ("CHORUS_STREAM__FREE_FULL_PLAYS_PER_DAY", "1000000"),
            ("CHORUS_LOG_LEVEL", "error"),
            // Two nodes on one host: each its own OpenSubsonic port.
            ("CHORUS_SUBSONIC__LISTEN", "127.0.0.1:0"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        // The nodes log errors only (on the bench's stderr); CHORUS_FAULTS_NODE_LOG=warn shows more.
        if let Ok(level) = std::env::var("CHORUS_FAULTS_NODE_LOG") {
            env.push(("CHORUS_LOG_LEVEL".into(), level));
        }
        let mut nodes = Self { bin, env, nodes: Vec::new(), urls, data: tempfile::tempdir()? };
        for i in 0..n {
            let node = nodes.spawn(i)?;
            nodes.nodes.push(Some(node));
        }
        Ok(nodes)
    }

    /// One more node.
    pub(crate) fn add(&mut self) -> anyhow::Result<()> {
        let node = self.spawn(self.nodes.len())?;
        self.nodes.push(Some(node));
        Ok(())
    }

    fn spawn(&self, i: usize) -> anyhow::Result<ChildNode> {
        let dir = self.data.path().join(format!("node{i}"));
        std::fs::create_dir_all(&dir)?;
        let mut env = self.env.clone();
        env.push(("CHORUS_NODE_ID".into(), format!("faults{i}")));
        env.push(("CHORUS_DATA_DIR".into(), dir.display().to_string()));
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        ChildNode::start(&self.bin, &self.urls[i % self.urls.len()], "all", &env)
    }

    /// kill -9 node `i`.
    pub(crate) fn kill(&mut self, i: usize) {
        if let Some(mut node) = self.nodes[i].take() {
            node.kill();
        }
    }

    /// Start node `i` again (same id, same data directory).
    pub(crate) fn restart(&mut self, i: usize) -> anyhow::Result<()> {
        self.kill(i);
        self.nodes[i] = Some(self.spawn(i)?);
        Ok(())
    }

    /// The data directory (disk view) of node `i`.
    pub(crate) fn data_dir(&self, i: usize) -> PathBuf {
        self.data.path().join(format!("node{i}"))
    }

    /// The process id of node `i`, if it runs.
    pub(crate) fn pid(&mut self, i: usize) -> Option<u32> {
        let node = self.nodes[i].as_mut()?;
        node.running().then(|| node.pid())
    }
}

/// Whether `service` answered one real request.
async fn answers(service: &str, conn: &async_nats::Client, issuer: &TestIssuer) -> bool {
    let timeout = Duration::from_secs(1);
    let c = ChorusClient::new(conn.clone()).with_timeout(timeout);
    let listener = || c.clone().with_token(issuer.token(&[Role::Listener]));
    match service {
        "auth" => c.call(&KeyList {}).await.is_ok(),
        "catalog" => c.call(&ArtistList { limit: Some(1), ..Default::default() }).await.is_ok(),
        "search" => c.call(&SearchQuery { q: "faults".into(), ..Default::default() }).await.is_ok(),
        "profile" => listener().call(&FavoriteList::default()).await.is_ok(),
        // No session here: a session for a track that is not there is a 404, an answer.
        "stream" => {
            let open = chorus_nats::messages::stream::SessionOpen {
                track_id: uuid::Uuid::nil(),
                source: "probe".into(),
                client: "probe".into(),
            };
            matches!(
                listener().call(&open).await,
                Ok(_) | Err(chorus_nats::ClientError::Service { status: chorus_nats::Status::NotFound, .. })
            )
        }
        "payment" => c.call(&PlanList {}).await.is_ok(),
        _ => false,
    }
}

/// From `since`, how long until every service had answered (none if not within `budget`).
pub(crate) async fn recovery(
    conn: &async_nats::Client,
    issuer: &TestIssuer,
    since: Instant,
    budget: Duration,
) -> Option<Duration> {
    recovery_of(conn, issuer, since, budget).await.map(|(d, _)| d)
}

/// [`recovery`], and the service that answered last.
pub(crate) async fn recovery_of(
    conn: &async_nats::Client,
    issuer: &TestIssuer,
    since: Instant,
    budget: Duration,
) -> Option<(Duration, &'static str)> {
    let mut waiting: Vec<&'static str> = SERVICES.to_vec();
    let mut last = (Duration::ZERO, "none");
    while !waiting.is_empty() {
        if since.elapsed() > budget {
            return None;
        }
        // All at once: one service's timeout must not delay seeing the others answer.
        let asked = futures::future::join_all(waiting.iter().map(|s| answers(s, conn, issuer))).await;
        let mut still = Vec::new();
        for (s, ok) in waiting.into_iter().zip(asked) {
            if ok {
                if since.elapsed() > last.0 {
                    last = (since.elapsed(), s);
                }
            } else {
                still.push(s);
            }
        }
        waiting = still;
        if !waiting.is_empty() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    Some(last)
}

/// Wait until every service answers (nodes starting).
pub(crate) async fn ready(conn: &async_nats::Client, issuer: &TestIssuer) -> anyhow::Result<Duration> {
    recovery(conn, issuer, Instant::now(), Duration::from_secs(180)).await.context("the services never all answered")
}

/// Import a few demo files (the stream service's audio) and return the mix's tracks.
pub(crate) async fn tracks(
    conn: &async_nats::Client,
    issuer: &TestIssuer,
    files: usize,
) -> anyhow::Result<Vec<uuid::Uuid>> {
    let demo = std::env::var_os("CHORUS_DEMO_MUSIC").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../.tools/demo/immich_memories_music/tracks"))
    });
    let calm = demo.join("calm");
    let mut names: Vec<_> = std::fs::read_dir(&calm)
        .with_context(|| {
            format!("demo music at {} (scripts/test.sh fetches it, or set CHORUS_DEMO_MUSIC)", calm.display())
        })?
        .flatten()
        .map(|e| e.path())
        .collect();
    names.sort();
    let music = tempfile::tempdir()?;
    for path in names.into_iter().take(files) {
        if let Some(name) = path.file_name() {
            std::fs::copy(&path, music.path().join(name))?;
        }
    }
    let admin = ChorusClient::new(conn.clone()).with_timeout(Duration::from_secs(20)).with_token(issuer.admin());
    chorus_nodes::import::run(&admin, music.path(), "Faults", false).await.context("importing the demo audio")?;
    let page: TrackPage = admin.call(&TrackList::default()).await?;
    let tracks: Vec<uuid::Uuid> = page.tracks.into_iter().filter(|t| t.audio_object.is_some()).map(|t| t.id).collect();
    anyhow::ensure!(!tracks.is_empty(), "no track with audio after the import");
    Ok(tracks)
}

/// Connections for the mix (each its own rate-limit identity), the issuer, the tracks.
pub(crate) async fn mix(urls: &[String], issuer: Arc<TestIssuer>, tracks: Vec<uuid::Uuid>) -> anyhow::Result<Arc<Mix>> {
    let mut conns = Vec::new();
    for i in 0..8 {
        conns.push(connect(urls, i).await?);
    }
    Ok(Mix::new(conns, issuer, tracks))
}

/// A connection knowing every server of `urls`, the `first`-th tried first (spreading connections).
pub(crate) async fn connect(urls: &[String], first: usize) -> anyhow::Result<async_nats::Client> {
    let mut addrs: Vec<async_nats::ServerAddr> = urls.iter().map(|u| u.parse()).collect::<Result<_, _>>()?;
    let n = addrs.len().max(1);
    addrs.rotate_left(first % n);
    async_nats::ConnectOptions::new().retain_servers_order().connect(addrs).await.context("connecting the load")
}
