//! What the catalog's three kinds of record have in common, so that one
//! write path and one projection path serve them all.

use chorus_nats::errors::catalog as codes;
use chorus_nats::messages::catalog::{Album, Artist, Track};
use chorus_nats::ServiceError;
use serde::{de::DeserializeOwned, Serialize};
use uuid::Uuid;

use crate::records::Kind;

pub(crate) mod sort;

/// Longest title or name accepted.
const MAX_NAME: usize = 500;

/// A catalog record type.
pub(crate) trait Entity: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {
    const KIND: Kind;
    /// 404 for a record of this kind the catalog does not have (`<kind>_not_found`).
    const NOT_FOUND: &'static str;
    /// 400 for a blank or overlong title or name (`invalid_title`, `invalid_name`).
    const INVALID_NAME: &'static str;
    fn id(&self) -> Uuid;
    fn set_id(&mut self, id: Uuid);
    fn added_at(&self) -> u64;
    fn set_added_at(&mut self, at: u64);
    fn revision(&self) -> u64;
    fn set_revision(&mut self, revision: u64);
    /// The fields the view lists, filters and sorts on.
    fn row(&self) -> serde_json::Value;
    /// Check the fields a client sent.
    fn validate(&self) -> Result<(), ServiceError>;
    /// The albums and artists this record points at, which must exist.
    fn references(&self) -> (Vec<Uuid>, Vec<Uuid>) {
        (vec![], vec![])
    }
    /// The title or name.
    fn name(&self) -> &str;
    /// Its sort form (`sort_title`, `sort_name`), empty when none was given.
    fn sort(&self) -> &str;
    /// Replace the sort form.
    fn set_sort(&mut self, sort: String);
    /// Drop what reads derive and a client may send back as it read it
    /// (an album's inferred release type): it is not the client's to store.
    fn drop_derived(&mut self) {}

    /// Fill the sort form when it is empty, keeping one an admin gave. An
    /// update (`before` is the stored record) that renames the entity but
    /// sends back the sort form derived from the old name gets it derived
    /// again: clients send back what they read, and it must follow the name.
    fn fill_sort(&mut self, before: Option<&Self>) {
        let sort = self.sort().trim();
        let stale = before.is_some_and(|b| b.name().trim() != self.name().trim() && sort == sort::sort_name(b.name()));
        if sort.is_empty() || stale {
            let derived = sort::sort_name(self.name());
            self.set_sort(derived);
        }
    }
}

/// Check `value`, the field `what` of an `E`: 400 `E::INVALID_NAME` when blank or too long.
fn check_name<E: Entity>(what: &str, value: &str) -> Result<(), ServiceError> {
    if value.trim().is_empty() {
        return Err(ServiceError::bad_request(E::INVALID_NAME, format!("{what} must not be empty")));
    }
    if value.len() > MAX_NAME {
        return Err(ServiceError::bad_request(E::INVALID_NAME, format!("{what} is longer than {MAX_NAME} bytes")));
    }
    Ok(())
}

fn check_year(year: Option<i32>) -> Result<(), ServiceError> {
    if year.is_some_and(|y| !(0..=3000).contains(&y)) {
        return Err(ServiceError::bad_request(codes::INVALID_YEAR, "year must be 0 to 3000"));
    }
    Ok(())
}

fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

/// The key a list sorts an entity by: its sort form, or the one its name gives.
pub(crate) fn sort_key<E: Entity>(e: &E) -> String {
    match e.sort().trim() {
        "" => sort::key(&sort::sort_name(e.name())),
        given => sort::key(given),
    }
}

macro_rules! common {
    () => {
        fn id(&self) -> Uuid {
            self.id
        }
        fn set_id(&mut self, id: Uuid) {
            self.id = id;
        }
        fn added_at(&self) -> u64 {
            self.added_at
        }
        fn set_added_at(&mut self, at: u64) {
            self.added_at = at;
        }
        fn revision(&self) -> u64 {
            self.revision
        }
        fn set_revision(&mut self, revision: u64) {
            self.revision = revision;
        }
    };
}

macro_rules! sort_fields {
    ($name:ident, $sort:ident) => {
        fn name(&self) -> &str {
            &self.$name
        }
        fn sort(&self) -> &str {
            &self.$sort
        }
        fn set_sort(&mut self, sort: String) {
            self.$sort = sort;
        }
    };
}

impl Entity for Track {
    const KIND: Kind = Kind::Track;
    const NOT_FOUND: &'static str = codes::TRACK_NOT_FOUND;
    const INVALID_NAME: &'static str = codes::INVALID_TITLE;
    common!();
    sort_fields!(title, sort_title);

    fn row(&self) -> serde_json::Value {
        serde_json::json!({
            "key": self.id.to_string(),
            "sort": sort_key(self),
            "artists": self.artists.iter().map(|a| a.id.to_string()).collect::<Vec<_>>(),
            "album": self.album.as_ref().map(|a| a.id.to_string()),
            "disc": self.disc_number.unwrap_or(1),
            "number": self.track_number.unwrap_or(0),
            "year": self.year,
            "genres": self.genres.iter().map(|g| fold(g)).collect::<Vec<_>>(),
            "added_at": self.added_at,
        })
    }

    fn references(&self) -> (Vec<Uuid>, Vec<Uuid>) {
        let albums = self.album.iter().map(|a| a.id).collect();
        let artists = self.artists.iter().chain(self.album_artist.iter()).map(|a| a.id).collect();
        (albums, artists)
    }

    fn validate(&self) -> Result<(), ServiceError> {
        check_name::<Self>("title", &self.title)?;
        if self.artists.len() > 50 || self.genres.len() > 50 {
            return Err(ServiceError::bad_request(codes::TOO_MANY_VALUES, "at most 50 artists and 50 genres"));
        }
        check_year(self.year)
    }
}

impl Entity for Album {
    const KIND: Kind = Kind::Album;
    const NOT_FOUND: &'static str = codes::ALBUM_NOT_FOUND;
    const INVALID_NAME: &'static str = codes::INVALID_TITLE;
    common!();
    sort_fields!(title, sort_title);

    fn row(&self) -> serde_json::Value {
        serde_json::json!({
            "key": self.id.to_string(),
            "sort": sort_key(self),
            "artist": self.artist.as_ref().map(|a| a.id.to_string()),
            // The credited name's; the projection puts the artist's own sort name in.
            "artist_sort": self.artist.as_ref().map(|a| sort::key(&sort::sort_name(&a.name))).unwrap_or_default(),
            "year": self.year,
            "genres": self.genres.iter().map(|g| fold(g)).collect::<Vec<_>>(),
            "added_at": self.added_at,
        })
    }

    fn references(&self) -> (Vec<Uuid>, Vec<Uuid>) {
        (vec![], self.artist.iter().map(|a| a.id).collect())
    }

    fn drop_derived(&mut self) {
        crate::release::stored(self);
    }

    fn validate(&self) -> Result<(), ServiceError> {
        check_name::<Self>("title", &self.title)?;
        check_year(self.year)
    }
}

impl Entity for Artist {
    const KIND: Kind = Kind::Artist;
    const NOT_FOUND: &'static str = codes::ARTIST_NOT_FOUND;
    const INVALID_NAME: &'static str = codes::INVALID_NAME;
    common!();
    sort_fields!(name, sort_name);

    fn row(&self) -> serde_json::Value {
        serde_json::json!({
            "key": self.id.to_string(),
            "sort": sort_key(self),
            "added_at": self.added_at,
        })
    }

    fn validate(&self) -> Result<(), ServiceError> {
        check_name::<Self>("name", &self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artist(name: &str, sort: &str) -> Artist {
        Artist {
            id: Uuid::nil(),
            name: name.into(),
            sort_name: sort.into(),
            mbid: None,
            image: None,
            added_at: 0,
            revision: 0,
        }
    }

    #[test]
    fn sort_names_are_filled_kept_and_follow_renames() {
        let mut new = artist("The Beatles", "");
        new.fill_sort(None);
        assert_eq!(new.sort_name, "Beatles, The");
        let mut given = artist("John Lennon", "Lennon, John");
        given.fill_sort(None);
        assert_eq!(given.sort_name, "Lennon, John");
        // Renamed, with the sort name read back: derived again.
        let mut renamed = artist("The Beatles (UK)", "Beatles, The");
        renamed.fill_sort(Some(&new));
        assert_eq!(renamed.sort_name, "Beatles (UK), The");
        // Renamed with one of its own, or not renamed: kept.
        let mut renamed = artist("John Winston Lennon", "Lennon, John");
        renamed.fill_sort(Some(&given));
        assert_eq!(renamed.sort_name, "Lennon, John");
        let mut same = artist("The Beatles", "Fab Four");
        same.fill_sort(Some(&new));
        assert_eq!(same.sort_name, "Fab Four");
        assert_eq!(sort_key(&artist("The Beatles", "")), "beatles the");
    }

    #[test]
    fn each_kind_answers_its_own_codes() {
        fn kind_codes<E: Entity>() -> (&'static str, &'static str) {
            (E::NOT_FOUND, E::INVALID_NAME)
        }
        assert_eq!(kind_codes::<Track>(), ("track_not_found", "invalid_title"));
        assert_eq!(kind_codes::<Album>(), ("album_not_found", "invalid_title"));
        assert_eq!(kind_codes::<Artist>(), ("artist_not_found", "invalid_name"));
        for (kind, code) in
            [(Kind::Track, Track::NOT_FOUND), (Kind::Album, Album::NOT_FOUND), (Kind::Artist, Artist::NOT_FOUND)]
        {
            assert_eq!(code, format!("{}_not_found", kind.name()));
        }
    }
}
