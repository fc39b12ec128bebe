//! The payment service's clock: the wall clock, plus an offset that a test
//! deployment (`[payment] test_clock`) can move forward with `clock.advance`,
//! as Stripe's test clocks do. The offset is kept in the bucket, so every
//! instance follows it (each reads it again on its renewal tick).

use std::sync::atomic::{AtomicU64, Ordering};

use chorus_state::Records;

/// Where the offset is kept in `chorus_payment`.
const KEY: &str = "clock.offset_ms";

/// See the module docs.
pub(crate) struct Clock {
    offset_ms: AtomicU64,
    records: Records,
    /// Whether `clock.advance` may move it.
    pub(crate) movable: bool,
}

impl Clock {
    /// The clock of a deployment; a movable one starts where the bucket says.
    pub(crate) async fn open(records: Records, movable: bool) -> anyhow::Result<Self> {
        let clock = Self { offset_ms: AtomicU64::new(0), records, movable };
        clock.refresh().await?;
        Ok(clock)
    }

    /// ms since the Unix epoch, as the service sees it.
    pub(crate) fn now(&self) -> u64 {
        chorus_nats::clock::now_ms() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Read the offset again (another instance may have moved it).
    pub(crate) async fn refresh(&self) -> anyhow::Result<()> {
        if self.movable {
            let offset = self.records.get::<u64>(KEY).await?.map(|(o, _)| o).unwrap_or(0);
            self.offset_ms.fetch_max(offset, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Move it forward by `ms`, for every instance.
    pub(crate) async fn advance(&self, ms: u64) -> anyhow::Result<u64> {
        let written = self
            .records
            .modify::<u64, _, _>(KEY, 10, |o| async move { Ok(Some(o.unwrap_or(0).saturating_add(ms))) })
            .await
            .map_err(|e| anyhow::anyhow!("moving the clock: {e}"))?;
        let offset = written.and_then(|(o, _)| o).unwrap_or(0);
        self.offset_ms.fetch_max(offset, Ordering::Relaxed);
        Ok(offset)
    }
}
