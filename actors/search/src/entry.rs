//! What the index keeps of a catalog record: the searchable texts, the
//! filterable values, and the hit as it is shown.

use chorus_nats::messages::catalog::{Album, Artist, Track};
use chorus_nats::messages::search::{Hit, SearchKind};
use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;
use uuid::Uuid;

use crate::normalize::fold;
use crate::schema::Fields;

/// One track, album or artist, as indexed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub(crate) id: Uuid,
    pub(crate) kind: SearchKind,
    pub(crate) title: String,
    pub(crate) album: Option<String>,
    pub(crate) artist: Option<String>,
    pub(crate) year: Option<i32>,
    pub(crate) genres: Vec<String>,
    #[serde(default)]
    pub(crate) artist_ids: Vec<Uuid>,
}

/// The `kind` field's value.
pub(crate) fn kind_name(kind: SearchKind) -> &'static str {
    match kind {
        SearchKind::Tracks => "track",
        SearchKind::Albums => "album",
        SearchKind::Artists => "artist",
    }
}

fn names<'a>(names: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut seen: Vec<&str> = Vec::new();
    for n in names {
        if !seen.contains(&n) {
            seen.push(n);
        }
    }
    (!seen.is_empty()).then(|| seen.join(", "))
}

impl From<&Track> for Entry {
    fn from(t: &Track) -> Self {
        let credits = t.artists.iter().chain(t.album_artist.iter());
        let mut artist_ids: Vec<Uuid> = credits.clone().map(|a| a.id).collect();
        artist_ids.dedup();
        Entry {
            id: t.id,
            kind: SearchKind::Tracks,
            title: t.title.clone(),
            album: t.album.as_ref().map(|a| a.title.clone()),
            artist: names(credits.map(|a| a.name.as_str())),
            year: t.year,
            genres: t.genres.clone(),
            artist_ids,
        }
    }
}

impl From<&Album> for Entry {
    fn from(a: &Album) -> Self {
        Entry {
            id: a.id,
            kind: SearchKind::Albums,
            title: a.title.clone(),
            album: None,
            artist: a.artist.as_ref().map(|c| c.name.clone()),
            year: a.year,
            genres: a.genres.clone(),
            artist_ids: a.artist.iter().map(|c| c.id).collect(),
        }
    }
}

impl From<&Artist> for Entry {
    fn from(a: &Artist) -> Self {
        Entry {
            id: a.id,
            kind: SearchKind::Artists,
            // An artist's name is both what it is called and who it is: it
            // weighs as a title in the artist list, and shows as one.
            title: a.name.clone(),
            album: None,
            artist: None,
            year: None,
            genres: Vec::new(),
            artist_ids: vec![a.id],
        }
    }
}

impl Entry {
    /// The tantivy document.
    pub(crate) fn document(&self, f: &Fields) -> anyhow::Result<TantivyDocument> {
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, self.id.to_string());
        doc.add_text(f.kind, kind_name(self.kind));
        for (field, text) in
            [(f.title, Some(&self.title)), (f.album, self.album.as_ref()), (f.artist, self.artist.as_ref())]
        {
            if let Some(text) = text {
                doc.add_text(field.words, text);
                doc.add_text(field.prefixes, text);
            }
        }
        doc.add_text(f.title_whole, &self.title);
        for g in &self.genres {
            doc.add_text(f.genre, fold(g));
            doc.add_text(f.genre_label, g.trim());
        }
        if let Some(y) = self.year {
            doc.add_i64(f.year, i64::from(y));
        }
        for a in &self.artist_ids {
            doc.add_text(f.artist_id, a.to_string());
        }
        doc.add_bytes(f.stored, rmp_serde::to_vec_named(self)?.as_slice());
        Ok(doc)
    }

    /// The hit shown for this entry.
    pub(crate) fn hit(self, score: f32) -> Hit {
        Hit {
            id: self.id,
            title: self.title,
            album: self.album,
            artist: self.artist,
            year: self.year,
            genres: self.genres,
            score,
            highlight: Default::default(),
        }
    }
}
