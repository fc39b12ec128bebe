//! What every profile endpoint shares.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream;
use chorus_host::RequestCtx;
use chorus_nats::ChorusClient;
use chorus_nats::ServiceError;
use chorus_state::{Records, View, WriteError};

use crate::history::History;
use crate::owned::Owned;

/// How long a write waits for this instance's own projection to show it.
const SHOW_WRITE_WITHIN: Duration = Duration::from_secs(2);

/// See the module docs.
pub(crate) struct Profile {
    pub(crate) records: Records,
    pub(crate) js: jetstream::Context,
    pub(crate) nats: async_nats::Client,
    pub(crate) owned: Arc<Owned>,
    pub(crate) owned_view: Arc<View>,
    pub(crate) history: Arc<History>,
    pub(crate) history_view: Arc<View>,
}

impl Profile {
    /// A client for other services that acts as the caller (their token forwarded).
    pub(crate) fn as_caller(&self, ctx: &RequestCtx) -> ChorusClient {
        ctx.as_caller(&self.nats)
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
        WriteError::Conflict | WriteError::Exists => {
            ServiceError::conflict("revision_conflict", "changed since you read it; read it again and retry").into()
        }
        WriteError::Failed(e) => e.into(),
    }
}
