//! A real nats-server, killed on drop.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;

/// A nats-server with JetStream on a free loopback port.
pub struct NatsServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl NatsServer {
    /// Start one with JetStream; the binary is `NATS_SERVER_BIN` or `nats-server` on PATH.
    pub fn start() -> anyhow::Result<Self> {
        Self::start_with("")
    }

    /// Start one with extra config text appended (websocket, accounts, ...).
    pub fn start_with(extra_config: &str) -> anyhow::Result<Self> {
        let bin = std::env::var_os("NATS_SERVER_BIN").map(PathBuf::from).unwrap_or_else(|| "nats-server".into());
        // The port is free when we look; another test could take it before the
        // server binds, so retry a few times on a bind failure.
        for _ in 0..5 {
            let dir = tempfile::tempdir().context("creating a temporary JetStream directory")?;
            let port = free_port()?;
            let conf = dir.path().join("server.conf");
            std::fs::write(
                &conf,
                format!(
                    "listen: \"127.0.0.1:{port}\"\nserver_name: test_{port}\njetstream {{ store_dir: {:?} }}\n{extra_config}\n",
                    dir.path().join("js").display().to_string()
                ),
            )?;
            let log = std::fs::File::create(dir.path().join("server.log"))?;
            let child = Command::new(&bin)
                .arg("-c")
                .arg(&conf)
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .with_context(|| format!("starting {} (install it, or set NATS_SERVER_BIN)", bin.display()))?;
            let mut server = NatsServer { child, port, dir };
            if server.wait_ready(Duration::from_secs(10)) {
                return Ok(server);
            }
            eprintln!("nats-server on port {port} did not start:\n{}", server.log());
        }
        anyhow::bail!("nats-server did not start after 5 attempts")
    }

    fn wait_ready(&mut self, within: Duration) -> bool {
        let start = Instant::now();
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        while start.elapsed() < within {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// A plain connection.
    pub async fn connect(&self) -> anyhow::Result<async_nats::Client> {
        async_nats::connect(self.url()).await.context("connecting to the test nats-server")
    }

    /// The server's log so far, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
