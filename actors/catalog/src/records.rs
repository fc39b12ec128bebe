//! The catalog's system of record: the JetStream KV bucket `chorus_catalog`.
//!
//! Keys are `track.<uuid>`; values are MessagePack [`Track`]s.

use anyhow::Context as _;
use async_nats::jetstream::{self, kv};
use chorus_nats::messages::catalog::Track;
use chorus_nats::Encoding;
use uuid::Uuid;

/// The bucket name.
pub const BUCKET: &str = "chorus_catalog";

/// Key prefix of tracks.
const TRACK_PREFIX: &str = "track.";

/// The key of a track.
pub fn track_key(id: Uuid) -> String {
    format!("{TRACK_PREFIX}{id}")
}

/// The track id a key names, if it names one.
pub fn track_id(key: &str) -> Option<Uuid> {
    key.strip_prefix(TRACK_PREFIX).and_then(|id| Uuid::parse_str(id).ok())
}

/// Encode a track as stored.
pub fn encode_track(track: &Track) -> anyhow::Result<bytes::Bytes> {
    Encoding::MsgPack.encode(track).context("encoding a track")
}

/// Decode a stored track.
pub fn decode_track(value: &[u8]) -> anyhow::Result<Track> {
    Encoding::MsgPack.decode(value).context("decoding a stored track")
}

/// Open the bucket, creating it on first use.
pub async fn open(js: &jetstream::Context, replicas: usize) -> anyhow::Result<kv::Store> {
    if let Ok(store) = js.get_key_value(BUCKET).await {
        return Ok(store);
    }
    js.create_key_value(kv::Config {
        bucket: BUCKET.into(),
        description: "Chorus catalog records".into(),
        history: 1,
        num_replicas: replicas,
        ..Default::default()
    })
    .await
    .with_context(|| format!("creating KV bucket {BUCKET}"))
}
