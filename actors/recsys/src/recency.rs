//! How much each play in a history counts: recent plays say more about
//! what a listener wants next than plays from last year.

use serde::{Deserialize, Serialize};

/// A decay applied to a history before [`crate::Model::recommend`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recency {
    /// Every play counts the same.
    Flat,
    /// Weight halves every `half_life` plays back from the most recent, so
    /// a listener's last session counts most however long ago it was.
    Plays {
        /// Plays per halving.
        half_life: f32,
    },
    /// Weight halves every `half_life` time units before `now`.
    Time {
        /// Time units per halving, in the unit of the play times.
        half_life: u64,
    },
}

/// The decay chosen with [`crate::Algorithm::default`] on MovieLens-100k,
/// where a "play" is a rating; re-tune it on real listening, where one
/// play says less and sessions are longer.
impl Default for Recency {
    fn default() -> Self {
        Self::Plays { half_life: 3.0 }
    }
}

impl Recency {
    /// A weight per play time (any order); `now` matters only for [`Recency::Time`].
    pub fn weights(&self, times: &[u64], now: u64) -> Vec<f32> {
        match *self {
            Self::Flat => vec![1.0; times.len()],
            Self::Plays { half_life } => position_weights(times, half_life),
            Self::Time { half_life } => recency_weights(times, now, half_life),
        }
    }
}

impl std::fmt::Display for Recency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Flat => write!(f, "flat"),
            Self::Plays { half_life } => write!(f, "half-life {half_life} plays"),
            Self::Time { half_life } => write!(f, "half-life {half_life} time units"),
        }
    }
}

/// `0.5^((now − t) / half_life)` per time; times after `now` count fully.
pub fn recency_weights(times: &[u64], now: u64, half_life: u64) -> Vec<f32> {
    let half_life = half_life.max(1) as f64;
    times.iter().map(|&t| 0.5f64.powf(now.saturating_sub(t) as f64 / half_life) as f32).collect()
}

/// `0.5^(rank / half_life)`, rank 0 for the latest time; equal times are
/// ranked by position, later entries being the more recent.
pub fn position_weights(times: &[u64], half_life: f32) -> Vec<f32> {
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by(|&a, &b| times[b].cmp(&times[a]).then(b.cmp(&a)));
    let mut weights = vec![0.0; times.len()];
    for (rank, &i) in order.iter().enumerate() {
        weights[i] = 0.5f32.powf(rank as f32 / half_life.max(f32::MIN_POSITIVE));
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_weights_halve_per_half_life_from_the_latest() {
        let w = position_weights(&[5, 9, 5, 1], 1.0);
        assert_eq!(w, vec![0.25, 1.0, 0.5, 0.125]);
    }

    #[test]
    fn time_weights_halve_per_half_life_before_now() {
        let w = recency_weights(&[100, 90, 80, 120], 100, 10);
        assert_eq!(w, vec![1.0, 0.5, 0.25, 1.0]);
        assert_eq!(Recency::Flat.weights(&[1, 2], 3), vec![1.0, 1.0]);
    }
}
