//! What every recommend endpoint shares.

use std::sync::Arc;

use async_nats::jetstream::object_store::ObjectStore;
use chorus_host::RequestCtx;
use chorus_nats::ChorusClient;
use chorus_state::Records;

use crate::catalog::Catalog;
use crate::config::RecommendConfig;
use crate::listening::Listening;
use crate::served::Served;

/// See the module docs.
pub(crate) struct Recommend {
    pub(crate) config: RecommendConfig,
    pub(crate) js: async_nats::jetstream::Context,
    pub(crate) nats: async_nats::Client,
    /// `chorus_recommend`: the newest model's manifest.
    pub(crate) records: Records,
    /// `chorus_recommend_radio`: radios, 24 h after their last batch.
    pub(crate) radios: Records,
    /// The same radios, in memory.
    pub(crate) radio_book: Arc<crate::radios::Radios>,
    /// `chorus_recommend_models`.
    pub(crate) models: ObjectStore,
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) listening: Arc<Listening>,
    pub(crate) served: Arc<Served>,
}

impl Recommend {
    /// A client for other services that acts as the caller (their token forwarded).
    pub(crate) fn as_caller(&self, ctx: &RequestCtx) -> ChorusClient {
        ctx.as_caller(&self.nats)
    }

    /// Whether `track` may be recommended to anyone: it exists and has audio.
    pub(crate) fn playable(&self, track: uuid::Uuid) -> bool {
        self.catalog.playable(track)
    }
}
