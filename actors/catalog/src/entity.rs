//! What the catalog's three kinds of record have in common, so that one
//! write path and one projection path serve them all.

use chorus_nats::messages::catalog::{Album, Artist, Track};
use chorus_nats::ServiceError;
use serde::{de::DeserializeOwned, Serialize};
use uuid::Uuid;

use crate::records::Kind;

/// Longest title or name accepted.
const MAX_NAME: usize = 500;

/// A catalog record type.
pub(crate) trait Entity: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {
    const KIND: Kind;
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
}

fn check_name(what: &str, value: &str) -> Result<(), ServiceError> {
    if value.trim().is_empty() {
        return Err(ServiceError::bad_request(format!("invalid_{what}"), format!("{what} must not be empty")));
    }
    if value.len() > MAX_NAME {
        return Err(ServiceError::bad_request(
            format!("invalid_{what}"),
            format!("{what} is longer than {MAX_NAME} bytes"),
        ));
    }
    Ok(())
}

fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

fn sort_key(sort: &str, plain: &str) -> String {
    fold(if sort.trim().is_empty() { plain } else { sort })
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

impl Entity for Track {
    const KIND: Kind = Kind::Track;
    common!();

    fn row(&self) -> serde_json::Value {
        serde_json::json!({
            "key": self.id.to_string(),
            "sort": sort_key(&self.sort_title, &self.title),
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
        check_name("title", &self.title)?;
        if self.artists.len() > 50 || self.genres.len() > 50 {
            return Err(ServiceError::bad_request("too_many_values", "at most 50 artists and 50 genres"));
        }
        if self.year.is_some_and(|y| !(0..=3000).contains(&y)) {
            return Err(ServiceError::bad_request("invalid_year", "year must be 0 to 3000"));
        }
        Ok(())
    }
}

impl Entity for Album {
    const KIND: Kind = Kind::Album;
    common!();

    fn row(&self) -> serde_json::Value {
        serde_json::json!({
            "key": self.id.to_string(),
            "sort": sort_key(&self.sort_title, &self.title),
            "artist": self.artist.as_ref().map(|a| a.id.to_string()),
            "artist_sort": self.artist.as_ref().map(|a| fold(&a.name)).unwrap_or_default(),
            "year": self.year,
            "genres": self.genres.iter().map(|g| fold(g)).collect::<Vec<_>>(),
            "added_at": self.added_at,
        })
    }

    fn references(&self) -> (Vec<Uuid>, Vec<Uuid>) {
        (vec![], self.artist.iter().map(|a| a.id).collect())
    }

    fn validate(&self) -> Result<(), ServiceError> {
        check_name("title", &self.title)?;
        if self.year.is_some_and(|y| !(0..=3000).contains(&y)) {
            return Err(ServiceError::bad_request("invalid_year", "year must be 0 to 3000"));
        }
        Ok(())
    }
}

impl Entity for Artist {
    const KIND: Kind = Kind::Artist;
    common!();

    fn row(&self) -> serde_json::Value {
        serde_json::json!({
            "key": self.id.to_string(),
            "sort": sort_key(&self.sort_name, &self.name),
            "added_at": self.added_at,
        })
    }

    fn validate(&self) -> Result<(), ServiceError> {
        check_name("name", &self.name)
    }
}
