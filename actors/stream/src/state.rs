//! What every stream endpoint is given.

/// The stream's shared state.
pub(crate) struct Stream {
    pub(crate) sessions: crate::sessions::Sessions,
    pub(crate) audio: chorus_state::ObjectCache,
    pub(crate) nats: async_nats::Client,
    pub(crate) threshold_ms: u64,
    /// At an edge site, where plays are recorded (see [`crate::site_plays`]);
    /// elsewhere profile records them.
    pub(crate) site_plays: Option<crate::site_plays::SitePlays>,
}
