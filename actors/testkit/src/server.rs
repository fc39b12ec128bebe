//! A real nats-server, killed on drop.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;

/// The auth callout's issuer (an account public key) in servers started
/// with [`NatsServer::start_conf`]; tests only.
pub const TEST_CALLOUT_ISSUER: &str = "ADDE6IT5TYSNM7L2VGYAEEPLTVCBUQQUTK7YBKHMKL3VN2UMSLGBBLNH";
/// Its seed, for `[auth.callout] issuer_seed`; tests only.
pub const TEST_CALLOUT_SEED: &str = "SAAF3FP2XRCCQDLCGF42YNBYFH5TUVYUQVR3L33H45K7W6645JOX4HQNVQ";

/// A nats-server with JetStream on a free loopback port.
pub struct NatsServer {
    child: Child,
    port: u16,
    ws_port: u16,
    dir: tempfile::TempDir,
}

impl NatsServer {
    /// Start one with JetStream; the binary is `NATS_SERVER_BIN` or `nats-server` on PATH.
    pub fn start() -> anyhow::Result<Self> {
        Self::start_with("")
    }

    /// Start one with extra config text appended (websocket, accounts, ...).
    pub fn start_with(extra_config: &str) -> anyhow::Result<Self> {
        Self::launch(|dir, port, _| {
            let conf = dir.join("server.conf");
            let js = dir.join("js").display().to_string();
            std::fs::write(
                &conf,
                format!("listen: \"127.0.0.1:{port}\"\nserver_name: test_{port}\njetstream {{ store_dir: {js:?} }}\n{extra_config}\n"),
            )?;
            Ok((conf, vec![]))
        })
    }

    /// Start one from a Chorus config file such as `nats/conf/dev.conf`, which
    /// takes its ports, store, passwords and callout issuer from `CHORUS_*`
    /// variables: free ports, a temporary store, the passwords
    /// `service-test`/`callout-test`, and [`TEST_CALLOUT_ISSUER`].
    pub fn start_conf(conf: &std::path::Path) -> anyhow::Result<Self> {
        let conf = conf.to_path_buf();
        Self::launch(move |dir, port, ws_port| {
            let env = vec![
                ("CHORUS_NATS_PORT".to_string(), port.to_string()),
                ("CHORUS_WS_PORT".to_string(), ws_port.to_string()),
                ("CHORUS_JS_DIR".to_string(), dir.join("js").display().to_string()),
                ("CHORUS_SERVICE_PASSWORD".to_string(), "service-test".to_string()),
                ("CHORUS_CALLOUT_PASSWORD".to_string(), "callout-test".to_string()),
                ("CHORUS_CALLOUT_ISSUER".to_string(), TEST_CALLOUT_ISSUER.to_string()),
            ];
            Ok((conf.clone(), env))
        })
    }

    /// Start a server whose config `prepare` writes for a port and a websocket port.
    fn launch(
        prepare: impl Fn(&std::path::Path, u16, u16) -> anyhow::Result<(PathBuf, Vec<(String, String)>)>,
    ) -> anyhow::Result<Self> {
        let bin = std::env::var_os("NATS_SERVER_BIN").map(PathBuf::from).unwrap_or_else(|| "nats-server".into());
        // A port is free when we look; another test could take it before the
        // server binds, so retry a few times.
        for _ in 0..5 {
            let dir = tempfile::tempdir().context("creating a temporary JetStream directory")?;
            let (port, ws_port) = (free_port()?, free_port()?);
            let (conf, env) = prepare(dir.path(), port, ws_port)?;
            let log = std::fs::File::create(dir.path().join("server.log"))?;
            let child = Command::new(&bin)
                .arg("-c")
                .arg(&conf)
                .envs(env)
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .with_context(|| format!("starting {} (install it, or set NATS_SERVER_BIN)", bin.display()))?;
            let mut server = NatsServer { child, port, ws_port, dir };
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

    /// The websocket port, when the config has a websocket listener.
    pub fn ws_port(&self) -> u16 {
        self.ws_port
    }

    /// A plain connection.
    pub async fn connect(&self) -> anyhow::Result<async_nats::Client> {
        async_nats::connect(self.url()).await.context("connecting to the test nats-server")
    }

    /// Send the server process a signal (`STOP` freezes it, as a partition
    /// looks to its clients; `CONT` thaws it).
    pub fn signal(&self, signal: &str) -> anyhow::Result<()> {
        let status = Command::new("kill").arg(format!("-{signal}")).arg(self.child.id().to_string()).status()?;
        anyhow::ensure!(status.success(), "kill -{signal} {} failed", self.child.id());
        Ok(())
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
