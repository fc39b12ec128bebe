//! Plays at an edge site: the site has no profile (the listener's history
//! is the hub's), so a play is appended to the site's plays stream
//! (`chorus_site_plays.<user>`, deduplicated by play id) and the hub's
//! `chorus_plays` sources it (see `chorus_host::edge`): recorded while the
//! uplink is down, counted at the hub once it is back, each play once.

use anyhow::Context as _;
use async_nats::jetstream::{self, message::PublishMessage};
use chorus_nats::messages::catalog::TrackGet;
use chorus_nats::messages::profile::{Play, PlayRecord};
use chorus_nats::records::profile::site_play_subject;
use chorus_nats::{ChorusClient, Encoding};
use uuid::Uuid;

use crate::Fail;

/// The site's JetStream, where its plays stream is.
pub(crate) struct SitePlays {
    pub(crate) js: jetstream::Context,
}

impl SitePlays {
    /// Record `user`'s play as profile would (with the track's album and
    /// artists, from the site's catalog), once.
    pub(crate) async fn record(&self, caller: &ChorusClient, user: Uuid, record: PlayRecord) -> Result<(), Fail> {
        let track = caller.call(&TrackGet { id: record.track_id }).await.ok();
        let play = Play {
            user,
            album: track.as_ref().and_then(|t| t.album.as_ref().map(|a| a.id)),
            artists: track.map(|t| t.artists.iter().map(|a| a.id).collect()).unwrap_or_default(),
            record,
        };
        let payload = Encoding::MsgPack.encode(&play).context("encoding a play")?;
        let publish = PublishMessage::build().payload(payload).message_id(play.record.play_id.to_string());
        chorus_state::publish_led(&self.js, site_play_subject(user), publish)
            .await
            .context("recording a play at the site")?;
        Ok(())
    }
}
