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
    /// The config file and its environment, to start it again ([`NatsServer::restart`]).
    conf: PathBuf,
    env: Vec<(String, String)>,
    /// "Server is ready" lines in the log before the running process started.
    readies_before: usize,
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
        Self::start_conf_vars(conf, |dir, port, ws_port| {
            vec![
                ("CHORUS_NATS_PORT".to_string(), port.to_string()),
                ("CHORUS_WS_PORT".to_string(), ws_port.to_string()),
                ("CHORUS_JS_DIR".to_string(), dir.join("js").display().to_string()),
            ]
        })
    }

    /// Start one from a Chorus config file whose ports and directories are
    /// named by `vars` (given the server's directory, a free port and a free
    /// websocket port), with the test passwords and callout issuer as
    /// [`NatsServer::start_conf`] sets them.
    pub fn start_conf_vars(
        conf: &std::path::Path,
        vars: impl Fn(&std::path::Path, u16, u16) -> Vec<(String, String)>,
    ) -> anyhow::Result<Self> {
        let conf = conf.to_path_buf();
        Self::launch(move |dir, port, ws_port| {
            let mut env = vec![
                ("CHORUS_SERVICE_PASSWORD".to_string(), "service-test".to_string()),
                ("CHORUS_CALLOUT_PASSWORD".to_string(), "callout-test".to_string()),
                ("CHORUS_CALLOUT_ISSUER".to_string(), TEST_CALLOUT_ISSUER.to_string()),
            ];
            env.extend(vars(dir, port, ws_port));
            Ok((conf.clone(), env))
        })
    }

    /// A connection as the `service` user of the Chorus configs (password
    /// `service-test`, as [`NatsServer::start_conf`] sets it).
    pub async fn connect_service(&self) -> anyhow::Result<async_nats::Client> {
        async_nats::ConnectOptions::with_user_and_password("service".into(), "service-test".into())
            .connect(self.url())
            .await
            .context("connecting to the test nats-server as the service user")
    }

    /// Start a server whose config `prepare` writes for a port and a websocket port.
    fn launch(
        prepare: impl Fn(&std::path::Path, u16, u16) -> anyhow::Result<(PathBuf, Vec<(String, String)>)>,
    ) -> anyhow::Result<Self> {
        // A port is free when we look; another test could take it before the
        // server binds, so retry a few times.
        for _ in 0..5 {
            let dir = tempfile::tempdir().context("creating a temporary JetStream directory")?;
            let (port, ws_port) = (free_port()?, free_port()?);
            let (conf, env) = prepare(dir.path(), port, ws_port)?;
            let mut server = Self::spawn(dir, conf, env, port, ws_port)?;
            if server.wait_ready(Duration::from_secs(10)) {
                return Ok(server);
            }
            eprintln!("nats-server on port {port} did not start:\n{}", server.log());
        }
        anyhow::bail!("nats-server did not start after 5 attempts")
    }

    /// Start the binary on `conf` (not waiting for it); its log goes to `dir`/server.log.
    pub(crate) fn spawn(
        dir: tempfile::TempDir,
        conf: PathBuf,
        env: Vec<(String, String)>,
        port: u16,
        ws_port: u16,
    ) -> anyhow::Result<Self> {
        let child = Self::command(dir.path(), &conf, &env)?;
        Ok(NatsServer { child, port, ws_port, dir, conf, env, readies_before: 0 })
    }

    fn command(dir: &std::path::Path, conf: &std::path::Path, env: &[(String, String)]) -> anyhow::Result<Child> {
        let bin = std::env::var_os("NATS_SERVER_BIN").map(PathBuf::from).unwrap_or_else(|| "nats-server".into());
        // Appended: a restarted server's log follows the one before.
        let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("server.log"))?;
        Command::new(&bin)
            .arg("-c")
            .arg(conf)
            .envs(env.iter().cloned())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {} (install it, or set NATS_SERVER_BIN)", bin.display()))
    }

    /// Kill the server (SIGKILL: no flush, no goodbye) and wait for it to go.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Whether the process is still running (a killed one is not).
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Start the server again on the same ports, config and store (killing it first if it runs).
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.kill();
        // The port can take a moment to be free again after a kill.
        for _ in 0..50 {
            self.readies_before = self.readies();
            self.child = Self::command(self.dir.path(), &self.conf, &self.env)?;
            if self.wait_ready(Duration::from_secs(10)) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        anyhow::bail!("nats-server on port {} did not start again:\n{}", self.port, self.log())
    }

    /// The client port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the server answers on its port within `within`, and its own
    /// log says it is ready: the port may answer for another test's
    /// server that took it first (a free port can be taken by two), which
    /// then goes away with that test and leaves this one refused.
    pub(crate) fn wait_ready(&mut self, within: Duration) -> bool {
        let start = Instant::now();
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        while start.elapsed() < within {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if self.readies() > self.readies_before
                && TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok()
            {
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

    /// How many times the log says the server is ready (every start appends to it).
    fn readies(&self) -> usize {
        self.log().matches("Server is ready").count()
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on now.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
