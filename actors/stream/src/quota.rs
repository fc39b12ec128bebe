//! The free tier's daily full plays, counted per listener across instances
//! in a KV bucket whose entries age out.

use std::time::Duration;

use async_nats::jetstream;
use chorus_state::Records;
use uuid::Uuid;

/// See the module docs.
pub(crate) struct Quota {
    records: Records,
    per_day: u32,
}

impl Quota {
    pub(crate) async fn open(js: &jetstream::Context, replicas: usize, per_day: u32) -> anyhow::Result<Self> {
        let two_days = Some(Duration::from_secs(2 * 24 * 3600));
        Ok(Self { records: Records::open_expiring(js, crate::records::QUOTA, replicas, two_days).await?, per_day })
    }

    /// Take one of `user`'s full plays for today; false when none are left.
    pub(crate) async fn take(&self, user: Uuid, now_ms: u64) -> Result<bool, crate::Fail> {
        let day = now_ms / (24 * 3600 * 1000);
        let per_day = self.per_day;
        let taken = self
            .records
            .modify::<u32, _, _>(&crate::records::quota_key(user, day), 10, |used| async move {
                match used.unwrap_or(0) {
                    // Never answered (a preview is opened instead, below): the
                    // refusal only stops the write.
                    n if n >= per_day => Err(chorus_nats::ServiceError::forbidden(
                        chorus_nats::errors::stream::PREVIEW_ONLY,
                        "no full plays left today",
                    )),
                    n => Ok(Some(n + 1)),
                }
            })
            .await;
        match taken {
            Ok(_) => Ok(true),
            Err(chorus_state::WriteError::Refused(_)) => Ok(false),
            // Many sessions of one listener at once: say so rather than fail.
            Err(chorus_state::WriteError::Conflict | chorus_state::WriteError::Exists) => {
                Err(chorus_nats::ServiceError::unavailable(
                    chorus_nats::errors::stream::BUSY,
                    "too many sessions opened at once; retry",
                )
                .into())
            }
            Err(chorus_state::WriteError::Failed(e)) => Err(e.context("counting a full play").into()),
        }
    }
}
