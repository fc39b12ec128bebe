//! The serving form of implicit ALS: item factors only. A user is folded in
//! at request time from the history given, so their latest plays count
//! without retraining.

use serde::{Deserialize, Serialize};

use crate::dense::{dot32, Cholesky, Dense};

/// Item factors plus what a fold-in needs (`YᵀY + reg·I` and `alpha`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Factors {
    k: usize,
    /// `n_items × k`, row-major.
    items: Vec<f32>,
    /// `YᵀY + reg·I`, `k × k` row-major.
    gram: Vec<f64>,
    alpha: f32,
}

/// Rows gathered ahead of the arithmetic, see [`Factors::score_items`].
const GATHER: usize = 32;

/// A user folded in: their factor and the factored system that made it.
struct FoldIn {
    user: Vec<f32>,
    system: Cholesky,
}

impl Factors {
    pub(crate) fn new(k: usize, items: Vec<f32>, gram: Vec<f64>, alpha: f32) -> Self {
        Self { k, items, gram, alpha }
    }

    fn item(&self, i: u32) -> &[f32] {
        &self.items[i as usize * self.k..(i as usize + 1) * self.k]
    }

    /// The exact ALS user step (Hu et al. 2008, eq. 4),
    /// `(YᵀY + reg·I + Σ (c−1)·y·yᵀ)·x = Σ c·p·y`, with confidence
    /// `c = 1 + alpha·|weight|` and preference `p` 1 for a positive weight,
    /// 0 for a negative one: a dislike is a confident "not this".
    fn fold_in(&self, history: &[(u32, f32)]) -> Option<FoldIn> {
        let k = self.k;
        let mut a = Dense::zeros(k);
        for r in 0..k {
            for c in 0..k {
                a.add(r, c, self.gram[r * k + c]);
            }
        }
        // Every history row loaded up front, their misses overlapping (see `score_items`).
        std::hint::black_box(self.touch(history.iter().map(|e| e.0)));
        let mut b = vec![0.0f64; k];
        let mut y = vec![0.0f64; k];
        for &(h, w) in history {
            for (to, &from) in y.iter_mut().zip(self.item(h)) {
                *to = f64::from(from);
            }
            let extra = f64::from(self.alpha * w.abs());
            let target = if w > 0.0 { 1.0 + extra } else { 0.0 };
            for r in 0..k {
                let yr = y[r];
                b[r] += target * yr;
                // A row prefix at a time, so the update runs as vector operations.
                let scaled = extra * yr;
                for (cell, &yc) in a.row_mut(r)[..=r].iter_mut().zip(&y[..=r]) {
                    *cell += scaled * yc;
                }
            }
        }
        let system = a.cholesky().ok()?;
        system.solve(&mut b);
        Some(FoldIn { user: b.into_iter().map(|x| x as f32).collect(), system })
    }

    /// Every item's predicted preference for the folded-in user.
    pub(crate) fn score(&self, history: &[(u32, f32)], n_items: usize) -> Vec<f32> {
        match self.fold_in(history) {
            Some(fold) => (0..n_items as u32).map(|i| dot32(self.item(i), &fold.user)).collect(),
            None => vec![0.0; n_items],
        }
    }

    /// The folded-in user's predicted preference for each of `items` only.
    ///
    /// A shortlist's rows are scattered over the matrix (12.8 MB at 100,000
    /// items and 32 factors), so the time goes in cache misses, not
    /// arithmetic. The rows of a chunk are loaded before any is used: those
    /// loads do not wait on each other and their misses overlap, where a dot
    /// product waiting for its own row kept only a few in flight.
    pub(crate) fn score_items(&self, history: &[(u32, f32)], items: &[u32]) -> Vec<f32> {
        let Some(fold) = self.fold_in(history) else { return vec![0.0; items.len()] };
        let mut out = Vec::with_capacity(items.len());
        for chunk in items.chunks(GATHER) {
            std::hint::black_box(self.touch(chunk.iter().copied()));
            out.extend(chunk.iter().map(|&i| dot32(self.item(i), &fold.user)));
        }
        out
    }

    /// Reads every cache line of the `items`' rows, for the side effect of
    /// having them in cache; the value means nothing.
    fn touch(&self, items: impl Iterator<Item = u32>) -> u32 {
        items.fold(0, |t, i| {
            let row = self.item(i);
            // One value in every 64 bytes, and the last (the row need not start a line).
            row.iter().step_by(16).chain(row.last()).fold(t, |t, v| t ^ v.to_bits())
        })
    }

    /// For each of `items`, the history item contributing most: the score
    /// splits as `Σ_h c_h·p_h · y_jᵀ·A⁻¹·y_h` (Hu et al. 2008, section 5),
    /// so only liked items (`p_h = 1`) can be the reason.
    pub(crate) fn explain_all(&self, history: &[(u32, f32)], items: &[u32]) -> Vec<Option<u32>> {
        let Some(fold) = self.fold_in(history) else { return vec![None; items.len()] };
        items
            .iter()
            .map(|&j| {
                let mut z: Vec<f64> = self.item(j).iter().map(|&v| f64::from(v)).collect();
                fold.system.solve(&mut z);
                let z: Vec<f32> = z.into_iter().map(|v| v as f32).collect();
                history
                    .iter()
                    .filter(|e| e.1 > 0.0)
                    .map(|&(h, w)| (h, (1.0 + self.alpha * w) * dot32(&z, self.item(h))))
                    .filter(|&(_, c)| c > 0.0)
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(h, _)| h)
            })
            .collect()
    }

    /// Items by cosine of their factors, excluding the item itself.
    pub(crate) fn similar(&self, item: u32, n: usize) -> Vec<(u32, f32)> {
        let n_items = (self.items.len() / self.k.max(1)) as u32;
        let y = self.item(item);
        let norm = dot32(y, y).sqrt();
        if norm == 0.0 {
            return Vec::new();
        }
        let candidates = (0..n_items)
            .filter(|&j| j != item)
            .filter_map(|j| {
                let other = self.item(j);
                let other_norm = dot32(other, other).sqrt();
                (other_norm > 0.0).then(|| (j, dot32(y, other) / (norm * other_norm)))
            })
            .collect();
        crate::top_k::top_k(candidates, n)
    }
}
