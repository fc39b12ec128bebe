//! Services under test: a config for an in-process host, or a child `chorus-node`.

use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chorus_host::Config;

/// A host config for tests: the given server, the given services, small pools.
pub fn host_config(nats_url: &str, services: &[&str]) -> Config {
    Config {
        nats_url: nats_url.to_string(),
        services: services.iter().map(|s| s.to_string()).collect(),
        workers: 4,
        queue_bound: 256,
        drain_timeout_ms: 5_000,
        ..Config::default()
    }
}

/// A `chorus-node` child process, killed on drop.
pub struct ChildNode {
    child: Child,
}

impl ChildNode {
    /// Start `bin` (pass `env!("CARGO_BIN_EXE_chorus-node")`) hosting `services`
    /// on `nats_url`, with extra `CHORUS_*` variables.
    pub fn start(bin: &Path, nats_url: &str, services: &str, env: &[(&str, &str)]) -> anyhow::Result<Self> {
        let mut cmd = Command::new(bin);
        // Only what the test says: none of the caller's CHORUS_* settings.
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("CHORUS_") {
                cmd.env_remove(k);
            }
        }
        cmd.arg("--services")
            .arg(services)
            .env("CHORUS_NATS_URL", nats_url)
            .env("CHORUS_LOG_LEVEL", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().with_context(|| format!("starting {}", bin.display()))?;
        Ok(Self { child })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Send SIGTERM.
    pub fn terminate(&self) -> anyhow::Result<()> {
        let status = Command::new("kill").arg("-TERM").arg(self.pid().to_string()).status()?;
        anyhow::ensure!(status.success(), "kill -TERM {} failed", self.pid());
        Ok(())
    }

    /// Kill it (SIGKILL: no drain) and reap it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Wait for the process to exit, up to `within`.
    pub fn wait(&mut self, within: Duration) -> anyhow::Result<ExitStatus> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            anyhow::ensure!(start.elapsed() < within, "chorus-node {} still running after {within:?}", self.pid());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ChildNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
