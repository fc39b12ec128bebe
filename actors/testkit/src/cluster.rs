//! Three (or more) real nats-servers with JetStream, routed into one cluster.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::server::{free_port, NatsServer};

/// The settings `scripts/cluster.sh` gives its nodes, as environment
/// variables: every bucket, stream and object store a node creates at R3.
pub const R3_NODE_ENV: &[(&str, &str)] = &[
    ("CHORUS_TRUST_REPLICAS", "3"),
    ("CHORUS_CATALOG__REPLICAS", "3"),
    ("CHORUS_AUTH__REPLICAS", "3"),
    ("CHORUS_PROFILE__REPLICAS", "3"),
    ("CHORUS_PAYMENT__REPLICAS", "3"),
    ("CHORUS_RECOMMEND__REPLICAS", "3"),
    ("CHORUS_STREAM__REPLICAS", "3"),
];

/// A JetStream cluster on loopback, every server killed on drop.
pub struct NatsCluster {
    servers: Vec<NatsServer>,
    monitor_ports: Vec<u16>,
}

impl NatsCluster {
    /// Start `n` servers (`n1`, `n2`, ...) routed to each other, and wait
    /// until JetStream has a meta leader.
    pub fn start(n: usize) -> anyhow::Result<Self> {
        Self::start_with(n, "")
    }

    /// [`NatsCluster::start`] with extra config text in every server's file.
    pub fn start_with(n: usize, extra_config: &str) -> anyhow::Result<Self> {
        anyhow::ensure!(n >= 1, "a cluster needs a server");
        // Ports are chosen before any server binds; a port taken in between
        // fails the start, and the whole cluster is tried again.
        let mut last = None;
        for _ in 0..3 {
            match Self::try_start(n, extra_config) {
                Ok(cluster) => return Ok(cluster),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| anyhow::anyhow!("the cluster did not start")))
    }

    fn try_start(n: usize, extra_config: &str) -> anyhow::Result<Self> {
        let ports: Vec<(u16, u16, u16)> =
            (0..n).map(|_| Ok((free_port()?, free_port()?, free_port()?))).collect::<anyhow::Result<_>>()?;
        let routes: Vec<String> = ports.iter().map(|(_, c, _)| format!("\"nats-route://127.0.0.1:{c}\"")).collect();
        let mut servers = Vec::new();
        for (i, (port, cluster_port, monitor)) in ports.iter().enumerate() {
            let dir = tempfile::tempdir().context("creating a temporary JetStream directory")?;
            let conf = dir.path().join("server.conf");
            let js = dir.path().join("js").display().to_string();
            std::fs::write(
                &conf,
                format!(
                    "listen: \"127.0.0.1:{port}\"\nserver_name: n{}\nhttp: \"127.0.0.1:{monitor}\"\n\
                     jetstream {{ store_dir: {js:?} }}\n\
                     cluster {{\n  name: chorus_test\n  listen: \"127.0.0.1:{cluster_port}\"\n  routes: [ {} ]\n}}\n{extra_config}\n",
                    i + 1,
                    routes.join(", ")
                ),
            )?;
            servers.push(NatsServer::spawn(dir, conf, Vec::new(), *port, 0)?);
        }
        for s in &mut servers {
            anyhow::ensure!(s.wait_ready(Duration::from_secs(10)), "nats-server did not start:\n{}", s.log());
        }
        let cluster = Self { servers, monitor_ports: ports.iter().map(|p| p.2).collect() };
        // Streams can be placed on all of them once the meta leader sees
        // every other server current (a stream created before may fail).
        let start = Instant::now();
        while !cluster.meta_current(n) {
            anyhow::ensure!(start.elapsed() < Duration::from_secs(30), "no JetStream meta group of {n} after 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(cluster)
    }

    /// The servers, in start order (`n1` first).
    pub fn servers(&mut self) -> &mut [NatsServer] {
        &mut self.servers
    }

    /// Every server's URL, comma separated (what `nats_url` takes).
    pub fn urls(&self) -> String {
        self.servers.iter().map(NatsServer::url).collect::<Vec<_>>().join(",")
    }

    /// A connection that knows every server.
    pub async fn connect(&self) -> anyhow::Result<async_nats::Client> {
        let urls: Vec<async_nats::ServerAddr> =
            self.servers.iter().map(|s| s.url().parse()).collect::<Result<_, _>>().context("server urls")?;
        async_nats::connect(urls).await.context("connecting to the test cluster")
    }

    /// The index of the server named `name` (`n2` -> 1).
    pub fn index_of(&self, name: &str) -> Option<usize> {
        name.strip_prefix('n')?.parse::<usize>().ok()?.checked_sub(1).filter(|i| *i < self.servers.len())
    }

    /// The JetStream meta leader's name, as the first server that answers its
    /// monitoring endpoint (`/jsz`) sees it.
    pub fn meta_leader(&self) -> Option<String> {
        self.monitor_ports.iter().find_map(|port| {
            let jsz = http_get(*port, "/jsz").ok()?;
            let leader = jsz.get("meta_cluster")?.get("leader")?.as_str()?;
            (!leader.is_empty()).then(|| leader.to_string())
        })
    }
}

/// Wait until the stream `name` has a leader and `replicas - 1` current
/// followers, as JetStream reports it through `js`. A new R3 stream elects
/// its leader after the create has answered; until then a request to it
/// (a bucket's info, a write) goes unanswered and times out, which under a
/// loaded machine took longer than a request's 5 s.
pub async fn wait_stream_settled(
    js: &async_nats::jetstream::Context,
    name: &str,
    replicas: usize,
    within: Duration,
) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        let settled = match js.get_stream(name).await {
            Ok(mut stream) => stream.info().await.ok().and_then(|info| info.cluster.clone()).is_some_and(|c| {
                c.leader.is_some_and(|l| !l.is_empty())
                    && c.replicas.iter().filter(|r| r.current).count() + 1 >= replicas
            }),
            Err(_) => false,
        };
        if settled {
            return Ok(());
        }
        anyhow::ensure!(
            start.elapsed() < within,
            "stream {name} has no leader with {replicas} current replicas after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl NatsCluster {
    /// Whether a server (the meta leader) sees the `n - 1` others current.
    fn meta_current(&self, n: usize) -> bool {
        self.monitor_ports.iter().any(|port| {
            let Ok(jsz) = http_get(*port, "/jsz") else { return false };
            let meta = &jsz["meta_cluster"];
            // The leader's own view lists the others, current once they follow.
            let led = meta["leader"].as_str().is_some_and(|l| !l.is_empty());
            let peers = meta["replicas"].as_array().map(|r| r.iter().filter(|p| p["current"] == true).count());
            led && (n == 1 || peers == Some(n - 1))
        })
    }
}

/// A GET on the monitoring port, its body as JSON (HTTP/1.0: the body ends with the connection).
fn http_get(port: u16, path: &str) -> anyhow::Result<serde_json::Value> {
    let mut tcp = TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(500))?;
    tcp.set_read_timeout(Some(Duration::from_secs(2)))?;
    write!(tcp, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut raw = String::new();
    tcp.read_to_string(&mut raw)?;
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b).context("no HTTP body")?;
    Ok(serde_json::from_str(body)?)
}
