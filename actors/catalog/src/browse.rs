//! `album.browse` and `artist.browse`: the library's pages, walked in the
//! sorted orders memory keeps (`orders.rs`), a cursor naming the last key of
//! the page before.
//!
//! A cursor is `<order>.<key fields>`, strings hex-encoded, so it names a
//! place in one order and survives the entity it came from being deleted or
//! renamed (the walk goes on from where that key would be).

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::Arc;

use chorus_host::Fail;
use chorus_nats::errors::catalog as codes;
use chorus_nats::messages::catalog::{Album, AlbumBrowse, AlbumBrowsePage, AlbumSort, ArtistBrowse, ArtistBrowsePage};
use chorus_nats::ServiceError;
use rand::seq::IteratorRandom;
use uuid::Uuid;

use crate::entity::sort;
use crate::paging;
use crate::projection::Catalog;

/// Longest `from` taken (an A–Z jump sends one letter).
const MAX_FROM: usize = 100;

pub(crate) fn albums(c: &Catalog, req: AlbumBrowse) -> Result<AlbumBrowsePage, Fail> {
    let limit = paging::limit(req.limit)? as usize;
    let decade = match req.decade {
        None => None,
        Some(d) if d % 10 == 0 && (0..=3000).contains(&d) => Some(d),
        Some(_) => {
            return Err(
                ServiceError::bad_request(codes::INVALID_DECADE, "decade is a multiple of 10 from 0 to 3000").into()
            )
        }
    };
    let genre = req.genre.as_deref().map(|g| g.trim().to_lowercase()).filter(|g| !g.is_empty());
    let keep = |a: &Album| {
        decade.is_none_or(|d| a.year.is_some_and(|y| (d..d + 10).contains(&y)))
            && genre.as_deref().is_none_or(|g| a.genres.iter().any(|x| x.trim().to_lowercase() == g))
    };
    let memory = c.memory();
    let o = &memory.orders;
    let all = &memory.albums;
    let (albums, next) = match req.sort {
        AlbumSort::Added => {
            let after = cursor(req.cursor.as_deref(), "a", |p| Some((Reverse(p.next()?.parse().ok()?), p.id()?)))?;
            let (page, last) = walk(&o.albums_added, start(after, None), |k| k.1, |_| false, all, &keep, limit);
            (page, last.map(|k| format!("a.{}.{}", k.0 .0, k.1)))
        }
        AlbumSort::Name => {
            let after = cursor(req.cursor.as_deref(), "n", |p| Some((p.text()?, p.id()?)))?;
            let (page, last) = walk(&o.albums_name, start(after, None), |k| k.1, |_| false, all, &keep, limit);
            (page, last.map(|k| format!("n.{}.{}", hex(&k.0), k.1)))
        }
        AlbumSort::Year => {
            let after = cursor(req.cursor.as_deref(), "y", |p| Some((p.next()?.parse().ok()?, p.text()?, p.id()?)))?;
            // A decade is a range of this order: start at its first year, stop past its last.
            let floor = decade.map(|d| (d, String::new(), Uuid::nil()));
            let stop = |k: &(i32, String, Uuid)| decade.is_some_and(|d| k.0 >= d + 10);
            let (page, last) = walk(&o.albums_year, start(after, floor), |k| k.2, stop, all, &keep, limit);
            (page, last.map(|k| format!("y.{}.{}.{}", k.0, hex(&k.1), k.2)))
        }
        AlbumSort::YearDesc => {
            let after =
                cursor(req.cursor.as_deref(), "Y", |p| Some((Reverse(p.next()?.parse().ok()?), p.text()?, p.id()?)))?;
            let floor = decade.map(|d| (Reverse(d + 9), String::new(), Uuid::nil()));
            let stop = |k: &(Reverse<i32>, String, Uuid)| decade.is_some_and(|d| k.0 .0 < d);
            let (page, last) = walk(&o.albums_year_desc, start(after, floor), |k| k.2, stop, all, &keep, limit);
            (page, last.map(|k| format!("Y.{}.{}.{}", k.0 .0, hex(&k.1), k.2)))
        }
        AlbumSort::Random => {
            if req.cursor.is_some() {
                return Err(chorus_host::paging::invalid_cursor().into());
            }
            let mut page: Vec<Album> = all
                .values()
                .filter(|a| keep(a))
                .choose_multiple(&mut rand::rng(), limit)
                .into_iter()
                .map(|a| Album::clone(a))
                .collect();
            // choose_multiple keeps the map's order for the first picks: shuffle them too.
            use rand::seq::SliceRandom;
            page.shuffle(&mut rand::rng());
            (page, None)
        }
    };
    let albums = albums.into_iter().map(|a| memory.served(a)).collect();
    Ok(AlbumBrowsePage { albums, next })
}

pub(crate) fn artists(c: &Catalog, req: ArtistBrowse) -> Result<ArtistBrowsePage, Fail> {
    let limit = paging::limit(req.limit)? as usize;
    let after = cursor(req.cursor.as_deref(), "r", |p| Some((p.text()?, p.id()?)))?;
    let floor = match req.from.as_deref() {
        None => None,
        Some(_) if after.is_some() => {
            return Err(ServiceError::bad_request(codes::CURSOR_WITH_FROM, "from starts the first page only").into())
        }
        Some(f) if f.trim().is_empty() || f.len() > MAX_FROM => {
            return Err(ServiceError::bad_request(
                codes::INVALID_FROM,
                format!("from is 1 to {MAX_FROM} bytes, not blank"),
            )
            .into())
        }
        // Folded as names are ("é" jumps where "e" does), articles kept ("The" jumps to T).
        Some(f) => Some((sort::key(f), Uuid::nil())),
    };
    let memory = c.memory();
    let (artists, last) =
        walk(&memory.orders.artists_name, start(after, floor), |k| k.1, |_| false, &memory.artists, &|_| true, limit);
    Ok(ArtistBrowsePage { artists, next: last.map(|k| format!("r.{}.{}", hex(&k.0), k.1)) })
}

/// Where a walk begins: after the cursor, or at `floor` when that is later.
fn start<K: Ord>(after: Option<K>, floor: Option<K>) -> Bound<K> {
    match (after, floor) {
        (Some(a), Some(f)) if f > a => Bound::Included(f),
        (Some(a), _) => Bound::Excluded(a),
        (None, Some(f)) => Bound::Included(f),
        (None, None) => Bound::Unbounded,
    }
}

/// Up to `limit` entities from `from` on that `keep` accepts, until `stop`;
/// and the last key when the page is full (there may be more).
fn walk<K: Ord + Clone, T: Clone>(
    order: &BTreeSet<K>,
    from: Bound<K>,
    id: impl Fn(&K) -> Uuid,
    stop: impl Fn(&K) -> bool,
    all: &HashMap<Uuid, Arc<T>>,
    keep: &dyn Fn(&T) -> bool,
    limit: usize,
) -> (Vec<T>, Option<K>) {
    let mut page = Vec::with_capacity(limit);
    for k in order.range((from, Bound::Unbounded)) {
        if stop(k) {
            return (page, None);
        }
        let Some(e) = all.get(&id(k)) else { continue };
        if !keep(e) {
            continue;
        }
        page.push(T::clone(e));
        if page.len() == limit {
            return (page, Some(k.clone()));
        }
    }
    (page, None)
}

/// The fields of a cursor, read in order.
struct Parts<'a>(std::str::Split<'a, char>);

impl Parts<'_> {
    fn next(&mut self) -> Option<&str> {
        self.0.next()
    }
    fn text(&mut self) -> Option<String> {
        unhex(self.0.next()?)
    }
    fn id(&mut self) -> Option<Uuid> {
        let id = Uuid::parse_str(self.0.next()?).ok()?;
        self.0.next().is_none().then_some(id)
    }
}

/// A cursor of order `tag` read by `parse`, or 400 `invalid_cursor`.
fn cursor<K>(cursor: Option<&str>, tag: &str, parse: impl FnOnce(&mut Parts) -> Option<K>) -> Result<Option<K>, Fail> {
    Ok(chorus_host::paging::cursor(cursor, |c| {
        let mut parts = Parts(c.split('.'));
        (parts.next()? == tag).then_some(())?;
        parse(&mut parts)
    })?)
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<String> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect();
    String::from_utf8(bytes?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_what_they_wrote() {
        assert_eq!(unhex(&hex("beatles the")).as_deref(), Some("beatles the"));
        assert_eq!(unhex(&hex("")).as_deref(), Some(""));
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex("abc"), None);
        let id = Uuid::now_v7();
        let c = format!("n.{}.{id}", hex("abbey road"));
        assert_eq!(
            cursor(Some(&c), "n", |p| Some((p.text()?, p.id()?))).ok().flatten(),
            Some(("abbey road".into(), id))
        );
        // Another order's cursor, trailing fields, garbage: refused.
        assert!(cursor(Some(&c), "r", |p| Some((p.text()?, p.id()?))).is_err());
        assert!(cursor(Some(&format!("{c}.x")), "n", |p| Some((p.text()?, p.id()?))).is_err());
        assert!(cursor(Some("n"), "n", |p| Some((p.text()?, p.id()?))).is_err());
    }

    #[test]
    fn a_walk_starts_after_the_cursor_or_at_the_floor() {
        assert_eq!(start(Some(3), Some(5)), Bound::Included(5));
        assert_eq!(start(Some(7), Some(5)), Bound::Excluded(7));
        assert_eq!(start(None, Some(5)), Bound::Included(5));
        assert_eq!(start::<i32>(None, None), Bound::Unbounded);
    }
}
