//! Applying a playlist edit: pure, checked, all or nothing.
//!
//! Each op costs at most one pass over the playlist (a remove of many
//! positions included), and the playlist never grows past its cap midway,
//! so a request costs at most `max_ops × max_tracks` moves (5 M at the
//! defaults, a few milliseconds).

use chorus_nats::messages::profile::PlaylistOp;
use chorus_nats::{errors, ServiceError, Status};
use uuid::Uuid;

/// `tracks` after `ops`, or the error for the first op that does not fit.
pub(crate) fn apply(
    mut tracks: Vec<Uuid>,
    ops: &[PlaylistOp],
    max_ops: usize,
    max_tracks: usize,
) -> Result<Vec<Uuid>, ServiceError> {
    check_op_count(ops, max_ops)?;
    for op in ops {
        match op {
            PlaylistOp::Add { tracks: new, at } => {
                let at = at.unwrap_or(tracks.len());
                if at > tracks.len() {
                    return Err(out_of_range(at, tracks.len()));
                }
                if tracks.len() + new.len() > max_tracks {
                    return Err(too_many_tracks(max_tracks));
                }
                tracks.splice(at..at, new.iter().copied());
            }
            PlaylistOp::Remove { positions } => {
                let mut positions = positions.clone();
                positions.sort_unstable();
                positions.dedup();
                if let Some(&p) = positions.last().filter(|&&p| p >= tracks.len()) {
                    return Err(out_of_range(p, tracks.len()));
                }
                // One pass: `positions` is sorted, so the next to drop is always its head.
                let mut drop = positions.into_iter().peekable();
                let mut i = 0;
                tracks.retain(|_| {
                    let keep = drop.peek() != Some(&i);
                    if !keep {
                        drop.next();
                    }
                    i += 1;
                    keep
                });
            }
            PlaylistOp::Move { from, to } => {
                let (from, to) = (*from, *to);
                if from >= tracks.len() || to >= tracks.len() {
                    return Err(out_of_range(from.max(to), tracks.len()));
                }
                if from < to {
                    tracks[from..=to].rotate_left(1);
                } else {
                    tracks[to..=from].rotate_right(1);
                }
            }
        }
    }
    Ok(tracks)
}

/// 400 `too_many_ops` past `max_ops`.
pub(crate) fn check_op_count(ops: &[PlaylistOp], max_ops: usize) -> Result<(), ServiceError> {
    if ops.len() > max_ops {
        return Err(ServiceError::bad_request(
            errors::profile::TOO_MANY_OPS,
            format!("an update carries at most {max_ops} ops; send the rest in another update"),
        ));
    }
    Ok(())
}

/// 413 `too_many_tracks`.
pub(crate) fn too_many_tracks(max: usize) -> ServiceError {
    ServiceError::new(
        Status::TooLarge,
        errors::profile::TOO_MANY_TRACKS,
        format!("a playlist holds at most {max} tracks"),
    )
}

fn out_of_range(p: usize, len: usize) -> ServiceError {
    ServiceError::bad_request(
        errors::profile::INVALID_POSITION,
        format!("position {p} is outside the playlist ({len} tracks)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<Uuid> {
        (0..n).map(|_| Uuid::now_v7()).collect()
    }

    #[test]
    fn add_remove_move() {
        let ids = ids(4);
        let t = apply(vec![], &[PlaylistOp::Add { tracks: ids.clone(), at: None }], 10, 10).unwrap();
        assert_eq!(t, ids);
        let ops = [PlaylistOp::Move { from: 0, to: 3 }, PlaylistOp::Remove { positions: vec![0, 0] }];
        let t = apply(t, &ops, 10, 10).unwrap();
        assert_eq!(t, vec![ids[2], ids[3], ids[0]]);
        let t = apply(t, &[PlaylistOp::Move { from: 2, to: 0 }], 10, 10).unwrap();
        assert_eq!(t, vec![ids[0], ids[2], ids[3]]);
        let t = apply(t, &[PlaylistOp::Remove { positions: vec![2, 0] }], 10, 10).unwrap();
        assert_eq!(t, vec![ids[2]]);
        let remove = [PlaylistOp::Remove { positions: vec![1] }];
        assert_eq!(apply(t.clone(), &remove, 10, 10).unwrap_err().code, "invalid_position");
        let add = [PlaylistOp::Add { tracks: vec![], at: Some(9) }];
        assert_eq!(apply(t, &add, 10, 10).unwrap_err().code, "invalid_position");
    }

    #[test]
    fn caps_on_ops_and_tracks() {
        let ids = ids(3);
        let add = |tracks: &[Uuid]| PlaylistOp::Add { tracks: tracks.to_vec(), at: None };
        let e = apply(vec![], &[add(&ids)], 10, 2).unwrap_err();
        assert_eq!((e.status, e.code.as_ref()), (Status::TooLarge, "too_many_tracks"));
        // Growing past the cap midway is refused even if a later op would shrink it back.
        let ops = [add(&ids[..2]), add(&ids[2..]), PlaylistOp::Remove { positions: vec![0] }];
        assert_eq!(apply(vec![], &ops, 10, 2).unwrap_err().code, "too_many_tracks");
        assert_eq!(apply(vec![], &[add(&ids[..2])], 10, 2).unwrap().len(), 2);
        let many = vec![PlaylistOp::Move { from: 0, to: 0 }; 11];
        let e = apply(ids.clone(), &many, 10, 10).unwrap_err();
        assert_eq!((e.status, e.code.as_ref()), (Status::BadRequest, "too_many_ops"));
        assert_eq!(apply(ids.clone(), &many[..10], 10, 10).unwrap(), ids);
    }

    #[test]
    fn removing_every_other_entry_of_a_full_playlist_is_one_pass() {
        let t = ids(10_000);
        let positions: Vec<usize> = (0..10_000).step_by(2).rev().collect();
        let left = apply(t.clone(), &[PlaylistOp::Remove { positions }], 500, 10_000).unwrap();
        assert_eq!(left, t.iter().skip(1).step_by(2).copied().collect::<Vec<_>>());
    }
}
