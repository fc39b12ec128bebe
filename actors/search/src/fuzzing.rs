//! For the fuzz targets: an index in memory holding the given catalog
//! entries, searchable at once.

use chorus_nats::messages::catalog::{Album, Artist, Track};

use crate::entry::Entry;
use crate::{IndexSpec, SearchIndex};

/// An in-memory index of `tracks`, `albums` and `artists`, published.
pub async fn index_of(tracks: &[Track], albums: &[Album], artists: &[Artist]) -> anyhow::Result<SearchIndex> {
    let index = SearchIndex::open(&IndexSpec::Memory, 16, 0)?;
    let entries =
        tracks.iter().map(Entry::from).chain(albums.iter().map(Entry::from)).chain(artists.iter().map(Entry::from));
    for entry in entries {
        index.put(&entry)?;
    }
    index.publish(true, 1).await?;
    index.go_live();
    Ok(index)
}
