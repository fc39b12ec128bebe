//! Applying a playlist edit: pure, checked, all or nothing.

use chorus_nats::messages::profile::PlaylistOp;
use chorus_nats::ServiceError;
use uuid::Uuid;

/// Most tracks a playlist holds.
pub(crate) const MAX_TRACKS: usize = 5_000;

/// `tracks` after `ops`, or the 400 for the first op that does not fit.
pub(crate) fn apply(mut tracks: Vec<Uuid>, ops: &[PlaylistOp]) -> Result<Vec<Uuid>, ServiceError> {
    for op in ops {
        match op {
            PlaylistOp::Add { tracks: new, at } => {
                let at = at.unwrap_or(tracks.len());
                if at > tracks.len() {
                    return Err(out_of_range(at, tracks.len()));
                }
                tracks.splice(at..at, new.iter().copied());
            }
            PlaylistOp::Remove { positions } => {
                let mut positions = positions.clone();
                positions.sort_unstable();
                positions.dedup();
                if let Some(&p) = positions.iter().find(|&&p| p >= tracks.len()) {
                    return Err(out_of_range(p, tracks.len()));
                }
                for p in positions.into_iter().rev() {
                    tracks.remove(p);
                }
            }
            PlaylistOp::Move { from, to } => {
                if *from >= tracks.len() || *to >= tracks.len() {
                    return Err(out_of_range((*from).max(*to), tracks.len()));
                }
                let t = tracks.remove(*from);
                tracks.insert(*to, t);
            }
        }
    }
    if tracks.len() > MAX_TRACKS {
        return Err(ServiceError::bad_request(
            "too_many_tracks",
            format!("a playlist holds at most {MAX_TRACKS} tracks"),
        ));
    }
    Ok(tracks)
}

fn out_of_range(p: usize, len: usize) -> ServiceError {
    ServiceError::bad_request("invalid_position", format!("position {p} is outside the playlist ({len} tracks)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_remove_move() {
        let ids: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
        let t = apply(vec![], &[PlaylistOp::Add { tracks: ids.clone(), at: None }]).unwrap();
        assert_eq!(t, ids);
        let t = apply(t, &[PlaylistOp::Move { from: 0, to: 3 }, PlaylistOp::Remove { positions: vec![0, 0] }]).unwrap();
        assert_eq!(t, vec![ids[2], ids[3], ids[0]]);
        assert_eq!(
            apply(t.clone(), &[PlaylistOp::Remove { positions: vec![3] }]).unwrap_err().code,
            "invalid_position"
        );
        assert_eq!(apply(t, &[PlaylistOp::Add { tracks: vec![], at: Some(9) }]).unwrap_err().code, "invalid_position");
    }
}
