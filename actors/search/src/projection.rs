//! How catalog record changes reach the index.
//!
//! Search follows the catalog's bucket with the state kit's projector: it
//! catches up before the instance registers, then a supervised actor follows
//! live changes. The kit's view here only tracks the applied revision (for
//! `Chorus-Min-Seq`); the index is the real view.

use std::sync::Arc;

use anyhow::Context as _;
use chorus_nats::messages::catalog::{Album, Artist, Track};
use chorus_nats::records::catalog::{parse_key, Kind};
use chorus_nats::Encoding;
use chorus_state::{Change, Projection, View};
use futures::future::BoxFuture;

use crate::entry::Entry;
use crate::index::SearchIndex;

/// Applies catalog changes to the index.
pub(crate) struct Indexer {
    pub(crate) index: Arc<SearchIndex>,
}

fn entry(kind: Kind, value: &[u8]) -> anyhow::Result<Entry> {
    let decoded = match kind {
        Kind::Track => Entry::from(&Encoding::MsgPack.decode::<Track>(value)?),
        Kind::Album => Entry::from(&Encoding::MsgPack.decode::<Album>(value)?),
        Kind::Artist => Entry::from(&Encoding::MsgPack.decode::<Artist>(value)?),
    };
    Ok(decoded)
}

impl Projection for Indexer {
    fn apply<'a>(&'a self, _view: &'a View, changes: Vec<Change>, revision: u64) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            for c in changes {
                let Some((kind, id)) = parse_key(&c.key) else { continue };
                match &c.value {
                    None => self.index.remove(id),
                    Some(value) => match entry(kind, value) {
                        Ok(e) => self.index.put(&e).context("indexing a catalog record")?,
                        // One bad record must not stop the index: skip it, loudly.
                        Err(e) => chorus_state::undecodable(&c.key, c.revision, &e),
                    },
                }
            }
            if self.index.is_live() {
                self.index.publish(false, revision).await?;
            }
            Ok(())
        })
    }

    fn restore<'a>(&'a self, _view: &'a View) -> BoxFuture<'a, anyhow::Result<()>> {
        // An on-disk index is resumed by `SearchIndex::open`; nothing else to restore.
        Box::pin(async { Ok(()) })
    }
}
