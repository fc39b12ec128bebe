//! MovieLens ratings in recbole's atomic format (`ml-100k.inter`), turned
//! into implicit plays: a rating at or above a threshold is one play.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use anyhow::{bail, Context as _};

use crate::dataset::{Dataset, Play};

/// The header recbole writes for `ml-100k.inter`.
pub const HEADER: [&str; 4] = ["user_id:token", "item_id:token", "rating:float", "timestamp:float"];

/// Plays from a ratings file, with the original ids of the dense ones.
#[derive(Debug, Clone)]
pub struct MovieLens {
    /// Plays with dense ids: users and items with at least one play, by ascending original id.
    pub dataset: Dataset,
    /// Ratings read, kept or not.
    pub ratings: usize,
    /// Original user id of each dense user.
    pub user_ids: Vec<u64>,
    /// Original item id of each dense item.
    pub item_ids: Vec<u64>,
}

/// Reads the file at `path`, keeping ratings `>= min_rating` as plays.
pub fn load(path: impl AsRef<Path>, min_rating: f32) -> anyhow::Result<MovieLens> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    parse(std::io::BufReader::new(file), min_rating).with_context(|| format!("reading {}", path.display()))
}

/// Parses recbole's tab-separated `user item rating timestamp` lines.
pub fn parse(reader: impl BufRead, min_rating: f32) -> anyhow::Result<MovieLens> {
    let mut lines = reader.lines();
    let header = lines.next().context("empty file")??;
    let columns: Vec<&str> = header.split('\t').collect();
    if columns.len() < 4 || columns[..4] != HEADER {
        bail!("header {header:?} is not {HEADER:?}");
    }
    let mut kept: Vec<(u64, u64, u64)> = Vec::new();
    let mut ratings = 0;
    for (n, line) in lines.enumerate() {
        let line = line?;
        if line.is_empty() {
            continue;
        }
        let row = (|| -> anyhow::Result<(u64, u64, f32, u64)> {
            let mut f = line.split('\t');
            let mut next = || f.next().context("missing column");
            let user = next()?.parse()?;
            let item = next()?.parse()?;
            let rating = next()?.parse()?;
            let at = next()?.parse::<f64>()?;
            Ok((user, item, rating, at as u64))
        })()
        .with_context(|| format!("line {}", n + 2))?;
        ratings += 1;
        if row.2 >= min_rating {
            kept.push((row.0, row.1, row.3));
        }
    }
    let dense = |ids: &mut dyn Iterator<Item = u64>| -> BTreeMap<u64, u32> {
        let mut map: BTreeMap<u64, u32> = ids.map(|id| (id, 0)).collect();
        for (d, slot) in map.values_mut().enumerate() {
            *slot = d as u32;
        }
        map
    };
    let users = dense(&mut kept.iter().map(|k| k.0));
    let items = dense(&mut kept.iter().map(|k| k.1));
    let mut plays = vec![Vec::new(); users.len()];
    for &(user, item, at) in &kept {
        plays[users[&user] as usize].push(Play { item: items[&item], at });
    }
    Ok(MovieLens {
        dataset: Dataset::new(items.len() as u32, plays),
        ratings,
        user_ids: users.into_keys().collect(),
        item_ids: items.into_keys().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_high_ratings_and_densifies_ids_in_original_order() {
        let text = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n\
                    7\t50\t5\t881250949\n7\t20\t3\t881250950\n3\t20\t4\t881250951.0\n";
        let ml = parse(text.as_bytes(), 4.0).unwrap();
        assert_eq!(ml.ratings, 3);
        assert_eq!(ml.user_ids, vec![3, 7]);
        assert_eq!(ml.item_ids, vec![20, 50]);
        assert_eq!(ml.dataset.user(0), &[Play { item: 0, at: 881250951 }]);
        assert_eq!(ml.dataset.user(1), &[Play { item: 1, at: 881250949 }]);
    }

    #[test]
    fn a_wrong_header_is_refused() {
        assert!(parse("user\titem\n1\t2\n".as_bytes(), 4.0).is_err());
    }
}
