//! What every profile endpoint shares.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream;
use chorus_host::RequestCtx;
use chorus_nats::ChorusClient;
use chorus_nats::{errors, ServiceError};
use chorus_state::{Records, Source, View, WriteError};

use crate::config::ProfileConfig;
use crate::history::History;
use crate::owned::Owned;
use crate::rate::WriteRate;
use crate::serial::PerUser;

/// How long a write waits for this instance's own projection to show it.
const SHOW_WRITE_WITHIN: Duration = Duration::from_secs(2);

/// See the module docs.
pub(crate) struct Profile {
    pub(crate) records: Records,
    pub(crate) js: jetstream::Context,
    pub(crate) nats: async_nats::Client,
    pub(crate) owned: Arc<Owned>,
    pub(crate) owned_view: Arc<View>,
    /// The bucket `owned` follows, to ask how far it goes.
    pub(crate) owned_source: Source,
    pub(crate) history: Arc<History>,
    pub(crate) history_view: Arc<View>,
    /// The plays stream, for a listener's whole history and for erasing it.
    pub(crate) plays: async_nats::jetstream::stream::Stream,
    /// Closed accounts.
    pub(crate) closed: Arc<crate::closing::Closed>,
    /// The caps and the write rate.
    pub(crate) config: ProfileConfig,
    pub(crate) writes: WriteRate,
    /// Playlist creates, one at a time per listener, so `max_playlists` holds.
    pub(crate) creating: PerUser,
}

impl Profile {
    /// The caller of a write, if they have a write left (429 `too_many_writes` otherwise).
    pub(crate) fn writer(&self, ctx: &RequestCtx) -> Result<uuid::Uuid, crate::Fail> {
        let user = ctx.caller()?.sub;
        self.writes.take(user)?;
        Ok(user)
    }

    /// A client for other services that acts as the caller (their token forwarded).
    pub(crate) fn as_caller(&self, ctx: &RequestCtx) -> ChorusClient {
        ctx.as_caller(&self.nats)
    }

    /// Wait (bounded) until this instance's playlist index has every write
    /// acknowledged so far, so that a count from it misses none; 503 if it
    /// cannot catch up in time.
    pub(crate) async fn catch_up_playlists(&self) -> Result<(), crate::Fail> {
        let (last, _) = self.owned_source.state().await?;
        if !self.owned_view.wait_for(last, Instant::now() + SHOW_WRITE_WITHIN).await {
            return Err(ServiceError::unavailable(
                errors::common::NOT_CAUGHT_UP,
                "the playlist index is behind; retry shortly",
            )
            .into());
        }
        Ok(())
    }

    /// Wait (bounded) until this instance's playlist index has `revision`, so
    /// that a list right after a write shows it.
    pub(crate) async fn show_playlist_write(&self, revision: u64) {
        self.owned_view.wait_for(revision, Instant::now() + SHOW_WRITE_WITHIN).await;
    }
}

/// A write error as a handler failure: a stale revision is 409, refusals are
/// replies, the rest crashes.
pub(crate) fn failed(e: WriteError) -> crate::Fail {
    match e {
        WriteError::Refused(e) => e.into(),
        WriteError::Conflict | WriteError::Exists => ServiceError::conflict(
            errors::profile::REVISION_CONFLICT,
            "changed since you read it; read it again and retry",
        )
        .into(),
        WriteError::Failed(e) => e.into(),
    }
}
