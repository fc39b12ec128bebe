//! The profile's records that others follow: listeners' stars and ratings
//! (recommend reads them as taste) and the plays stream.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Playlists (`playlist.<id>`), libraries (`library.<user>`), queues
/// (`queue.<user>`), and where each user's latest play is (`plays.<user>`).
pub const BUCKET: &str = "chorus_profile";

/// Every play (`crate::messages::profile::Play`), on subject
/// `chorus_plays.<user>`, deduplicated by play id.
pub const PLAYS: &str = "chorus_plays";

/// How long a second record of one play id is recognised (and dropped).
pub const PLAYS_DUPLICATE_WINDOW: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// The plays stream, created as profile keeps it if it does not exist yet
/// (whoever comes first: profile, recommend, a seeding tool).
pub async fn open_plays(
    js: &async_nats::jetstream::Context,
    replicas: usize,
    duplicate_window: std::time::Duration,
) -> Result<async_nats::jetstream::stream::Stream, async_nats::jetstream::context::CreateStreamError> {
    if let Ok(s) = js.get_stream(PLAYS).await {
        return Ok(s);
    }
    let config = async_nats::jetstream::stream::Config {
        name: PLAYS.into(),
        subjects: vec![format!("{PLAYS}.*")],
        num_replicas: replicas.max(1),
        duplicate_window,
        description: Some("Chorus listening history: every play, deduplicated by play id".into()),
        ..Default::default()
    };
    match js.create_stream(config).await {
        Ok(s) => Ok(s),
        // Someone made it meanwhile.
        Err(e) => js.get_stream(PLAYS).await.map_err(|_| e),
    }
}

/// The key of `user`'s library.
pub fn library_key(user: Uuid) -> String {
    format!("library.{user}")
}

/// At an edge site: the subjects the site's plays are recorded on (the site
/// has no profile), `chorus_site_plays.<user>`, deduplicated by play id, in
/// the stream [`site_plays_stream`]. The hub's [`PLAYS`] sources it from
/// each site, renamed into its own subjects, so every play counts once at
/// the hub whatever the uplink did.
pub const SITE_PLAYS: &str = "chorus_site_plays";

/// The site plays stream of the site whose JetStream domain is `domain`:
/// named after it, so the hub's sources tell the sites apart.
pub fn site_plays_stream(domain: &str) -> String {
    format!("{SITE_PLAYS}_{domain}")
}

/// The subject of `user`'s plays at an edge site.
pub fn site_play_subject(user: Uuid) -> String {
    format!("{SITE_PLAYS}.{user}")
}

/// The subject of `user`'s plays.
pub fn play_subject(user: Uuid) -> String {
    format!("{PLAYS}.{user}")
}

/// A user's favorites and ratings, one record so each change is one write.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Library {
    /// Starred tracks: id → starred at (ms).
    pub tracks: BTreeMap<Uuid, u64>,
    /// Starred albums.
    pub albums: BTreeMap<Uuid, u64>,
    /// Starred artists.
    pub artists: BTreeMap<Uuid, u64>,
    /// track → 1..=5.
    pub ratings: BTreeMap<Uuid, u8>,
}
