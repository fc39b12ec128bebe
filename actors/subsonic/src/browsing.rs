//! Browsing by tags: folders, the artist index, an artist, an album, a song,
//! a directory (Subsonic's file-tree view, made of the same artists and
//! albums), genres, and the signed-in user.

use std::collections::{BTreeMap, HashMap};

use chorus_nats::messages::catalog::{
    Album, AlbumBrowse, AlbumGet, AlbumSort, ArtistBrowse, ArtistGet, GenreList, TrackGet,
};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::annotations;
use crate::ids::{self, show, Kind};
use crate::params::Params;
use crate::reply::{Failure, Reply};
use crate::shape::{self, Annotations};
use crate::signin::Listener;

/// The articles the catalog files names after (subjects.md, catalog: Sort names).
const IGNORED_ARTICLES: &str = "The A An El La Las Los Le Les";
/// Artists (and albums counted) one index reads at most.
const MAX_INDEXED: usize = 100_000;
/// `getUser`: the caller (only their own).
pub(crate) fn user(p: &Params, l: &Listener) -> Result<Reply, Failure> {
    let asked = p.required("username")?;
    if !asked.eq_ignore_ascii_case(&l.username) {
        return Err(Failure::new(crate::reply::codes::NOT_AUTHORIZED, "only your own user can be read"));
    }
    Ok(Reply::with(
        "user",
        json!({
            "username": l.username, "email": l.email, "scrobblingEnabled": true, "adminRole": l.admin,
            "settingsRole": false, "downloadRole": true, "uploadRole": false, "playlistRole": true,
            "coverArtRole": true, "commentRole": false, "podcastRole": false, "streamRole": true,
            "jukeboxRole": false, "shareRole": false, "videoConversionRole": false, "folder": [1],
        }),
    ))
}

/// `getMusicFolders`: the one library.
pub(crate) fn music_folders() -> Reply {
    Reply::with("musicFolders", json!({"musicFolder": [{"id": 1, "name": "Music"}]}))
}

/// `getIndexes` (`legacy`) and `getArtists`: every artist, by letter.
pub(crate) async fn indexes(l: &Listener, legacy: bool) -> Result<Reply, Failure> {
    let notes = annotations::load(l).await?;
    let counts = if legacy { HashMap::new() } else { album_counts(l).await? };
    let mut letters: BTreeMap<char, Vec<Value>> = BTreeMap::new();
    let mut cursor = None;
    let mut seen = 0;
    loop {
        let page = l.call(&ArtistBrowse { cursor, limit: Some(500), from: None }).await?;
        for a in &page.artists {
            let entry = if legacy {
                let mut m = shape::artist(a, None, &notes);
                m.retain(|k, _| matches!(k.as_str(), "id" | "name" | "starred" | "coverArt"));
                m
            } else {
                shape::artist(a, Some(counts.get(&a.id).copied().unwrap_or(0)), &notes)
            };
            letters.entry(letter(&a.sort_name)).or_default().push(Value::Object(entry));
        }
        seen += page.artists.len();
        match page.next {
            Some(next) if seen < MAX_INDEXED => cursor = Some(next),
            _ => break,
        }
    }
    let index: Vec<Value> =
        letters.into_iter().map(|(c, artists)| json!({"name": c.to_string(), "artist": artists})).collect();
    Ok(if legacy {
        let now = chorus_nats::clock::now_ms();
        Reply::with("indexes", json!({"lastModified": now, "ignoredArticles": IGNORED_ARTICLES, "index": index}))
    } else {
        Reply::with("artists", json!({"ignoredArticles": IGNORED_ARTICLES, "index": index}))
    })
}

/// How many albums each artist has (by album artist), from one walk of the albums.
async fn album_counts(l: &Listener) -> Result<HashMap<Uuid, usize>, Failure> {
    let mut counts = HashMap::new();
    let mut cursor = None;
    let mut seen = 0;
    loop {
        let page =
            l.call(&AlbumBrowse { sort: AlbumSort::Name, cursor, limit: Some(500), genre: None, decade: None }).await?;
        for a in &page.albums {
            if let Some(artist) = &a.artist {
                *counts.entry(artist.id).or_default() += 1;
            }
        }
        seen += page.albums.len();
        match page.next {
            Some(next) if seen < MAX_INDEXED => cursor = Some(next),
            _ => break,
        }
    }
    Ok(counts)
}

/// The index letter a sort name files under: A to Z, diacritics folded, else `#`.
fn letter(sort_name: &str) -> char {
    let c = sort_name.chars().next().unwrap_or('#').to_uppercase().next().unwrap_or('#');
    let folded = match c {
        'À'..='Å' | 'Æ' => 'A',
        'Ç' => 'C',
        'È'..='Ë' => 'E',
        'Ì'..='Ï' => 'I',
        'Ñ' => 'N',
        'Ò'..='Ö' | 'Ø' | 'Œ' => 'O',
        'Ù'..='Ü' => 'U',
        'Ý' => 'Y',
        'Ł' => 'L',
        'Đ' => 'D',
        'Þ' => 'T',
        c => c,
    };
    if folded.is_ascii_uppercase() {
        folded
    } else {
        '#'
    }
}

/// Albums as lists show them, with the catalog's count of their tracks and length.
pub(crate) fn albums_listed(albums: &[Album], notes: &Annotations) -> Vec<Value> {
    albums.iter().map(|a| Value::Object(shape::album(a, None, notes))).collect()
}

/// `getArtist`.
pub(crate) async fn artist(p: &Params, l: &Listener) -> Result<Reply, Failure> {
    let id = p.id("id", Kind::Artist)?;
    let detail = l.call(&ArtistGet { id }).await?;
    let notes = annotations::load(l).await?;
    let albums = albums_listed(&detail.albums, &notes);
    let mut m = shape::artist(&detail.artist, Some(albums.len()), &notes);
    m.insert("album".into(), Value::Array(albums));
    Ok(Reply::with("artist", Value::Object(m)))
}

/// `getAlbum`.
pub(crate) async fn album(p: &Params, l: &Listener) -> Result<Reply, Failure> {
    let id = p.id("id", Kind::Album)?;
    let detail = l.call(&AlbumGet { id }).await?;
    let notes = annotations::load(l).await?;
    let mut m = shape::album(&detail.album, Some(&detail.tracks), &notes);
    m.insert("song".into(), Value::Array(detail.tracks.iter().map(|t| shape::song(t, &notes)).collect()));
    Ok(Reply::with("album", Value::Object(m)))
}

/// `getSong`.
pub(crate) async fn song(p: &Params, l: &Listener) -> Result<Reply, Failure> {
    let id = p.id("id", Kind::Track)?;
    let track = l.call(&TrackGet { id }).await?;
    let notes = annotations::load(l).await?;
    Ok(Reply::with("song", shape::song(&track, &notes)))
}

/// `getMusicDirectory`: an artist's albums, or an album's songs.
pub(crate) async fn directory(p: &Params, l: &Listener) -> Result<Reply, Failure> {
    let raw = p.required("id")?;
    let notes = annotations::load(l).await?;
    let dir = match ids::parse(raw) {
        Some((Kind::Artist, id)) => {
            let detail = l.call(&ArtistGet { id }).await?;
            let children: Vec<Value> =
                detail.albums.iter().map(|a| Value::Object(shape::album(a, None, &notes))).collect();
            let mut m = Map::new();
            m.insert("id".into(), show(Kind::Artist, id).into());
            m.insert("name".into(), detail.artist.name.clone().into());
            m.insert("child".into(), Value::Array(children));
            m
        }
        Some((Kind::Album, id)) => {
            let detail = l.call(&AlbumGet { id }).await?;
            let mut m = Map::new();
            m.insert("id".into(), show(Kind::Album, id).into());
            m.insert("name".into(), detail.album.title.clone().into());
            if let Some(artist) = &detail.album.artist {
                m.insert("parent".into(), show(Kind::Artist, artist.id).into());
            }
            m.insert("child".into(), Value::Array(detail.tracks.iter().map(|t| shape::song(t, &notes)).collect()));
            m
        }
        _ => return Err(Failure::not_found(format!("no directory {raw:?}"))),
    };
    Ok(Reply::with("directory", Value::Object(dir)))
}

/// `getGenres`.
pub(crate) async fn genres(l: &Listener) -> Result<Reply, Failure> {
    let genres = l.call(&GenreList {}).await?;
    let list: Vec<Value> =
        genres.genres.iter().map(|g| json!({"value": g.name, "songCount": g.tracks, "albumCount": g.albums})).collect();
    Ok(Reply::with("genres", json!({"genre": list})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_letters_fold_diacritics_and_file_the_rest_under_hash() {
        assert_eq!(letter("beatles, the"), 'B');
        assert_eq!(letter("Ágætis"), 'A');
        assert_eq!(letter("!!!"), '#');
        assert_eq!(letter("2pac"), '#');
        assert_eq!(letter(""), '#');
    }
}
