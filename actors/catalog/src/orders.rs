//! The library's orders, kept sorted in memory beside the point reads, so a
//! cursor page of `album.browse` or `artist.browse` is a range walk: the same
//! cost on the first page of 100,000 tracks as on the last, where a SurrealDB
//! `ORDER BY` sorts the whole table every time (DEPENDENCIES.md: ~2 s at 100k).

use std::cmp::Reverse;
use std::collections::BTreeSet;

use chorus_nats::messages::catalog::{Album, Artist};
use uuid::Uuid;

use crate::entity::sort_key;

/// A year that sorts albums without one after every year, either way.
fn year_up(a: &Album) -> i32 {
    a.year.unwrap_or(i32::MAX)
}

fn year_down(a: &Album) -> Reverse<i32> {
    Reverse(a.year.unwrap_or(i32::MIN))
}

/// See the module docs. Every key ends in the id, so keys are unique and a
/// cursor (a key) names one place even among equal names.
#[derive(Default)]
pub(crate) struct Orders {
    pub(crate) albums_added: BTreeSet<(Reverse<u64>, Uuid)>,
    pub(crate) albums_name: BTreeSet<(String, Uuid)>,
    pub(crate) albums_year: BTreeSet<(i32, String, Uuid)>,
    pub(crate) albums_year_desc: BTreeSet<(Reverse<i32>, String, Uuid)>,
    pub(crate) artists_name: BTreeSet<(String, Uuid)>,
}

impl Orders {
    pub(crate) fn put_album(&mut self, old: Option<&Album>, new: &Album) {
        if let Some(old) = old {
            self.remove_album(old);
        }
        let sort = sort_key(new);
        self.albums_added.insert((Reverse(new.added_at), new.id));
        self.albums_year.insert((year_up(new), sort.clone(), new.id));
        self.albums_year_desc.insert((year_down(new), sort.clone(), new.id));
        self.albums_name.insert((sort, new.id));
    }

    pub(crate) fn remove_album(&mut self, old: &Album) {
        let sort = sort_key(old);
        self.albums_added.remove(&(Reverse(old.added_at), old.id));
        self.albums_year.remove(&(year_up(old), sort.clone(), old.id));
        self.albums_year_desc.remove(&(year_down(old), sort.clone(), old.id));
        self.albums_name.remove(&(sort, old.id));
    }

    pub(crate) fn put_artist(&mut self, old: Option<&Artist>, new: &Artist) {
        if let Some(old) = old {
            self.remove_artist(old);
        }
        self.artists_name.insert((sort_key(new), new.id));
    }

    pub(crate) fn remove_artist(&mut self, old: &Artist) {
        self.artists_name.remove(&(sort_key(old), old.id));
    }
}
