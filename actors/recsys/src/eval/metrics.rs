//! Top-k ranking metrics, averaged over evaluated users the way the Python
//! anchor averages them.

use std::fmt;

/// The cut-off every metric uses.
pub const K: usize = 10;

/// Mean metrics over evaluated users.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Metrics {
    /// Hits / K.
    pub precision: f64,
    /// Hits / |held-out items|.
    pub recall: f64,
    /// Binary-gain DCG over IDCG of `min(|held-out|, K)` hits.
    pub ndcg: f64,
    /// Share of users with at least one hit.
    pub hit_rate: f64,
    /// Distinct items recommended to anyone / items.
    pub coverage: f64,
    /// Users evaluated.
    pub users: usize,
}

/// Running sums of per-user metrics.
#[derive(Debug, Clone, Default)]
pub(crate) struct MetricsSum {
    sums: Metrics,
    recommended: Vec<bool>,
}

impl MetricsSum {
    pub(crate) fn new(n_items: u32) -> Self {
        Self { sums: Metrics::default(), recommended: vec![false; n_items as usize] }
    }

    /// Adds one user's ranking (best first, at most K used) against their held-out items.
    pub(crate) fn add(&mut self, ranking: &[u32], held_out: &[u32]) {
        let ranking = &ranking[..ranking.len().min(K)];
        let mut hits = 0usize;
        let mut dcg = 0.0;
        for (position, item) in ranking.iter().enumerate() {
            self.recommended[*item as usize] = true;
            if held_out.contains(item) {
                hits += 1;
                dcg += discount(position);
            }
        }
        let ideal: f64 = (0..held_out.len().min(K)).map(discount).sum();
        let s = &mut self.sums;
        s.precision += hits as f64 / K as f64;
        s.recall += hits as f64 / held_out.len() as f64;
        s.ndcg += dcg / ideal;
        s.hit_rate += if hits > 0 { 1.0 } else { 0.0 };
        s.users += 1;
    }

    pub(crate) fn finish(self) -> Metrics {
        let n = self.sums.users.max(1) as f64;
        let covered = self.recommended.iter().filter(|&&r| r).count();
        Metrics {
            precision: self.sums.precision / n,
            recall: self.sums.recall / n,
            ndcg: self.sums.ndcg / n,
            hit_rate: self.sums.hit_rate / n,
            coverage: covered as f64 / self.recommended.len().max(1) as f64,
            users: self.sums.users,
        }
    }
}

/// Gain discount at a 0-based position: `1 / log2(position + 2)`.
fn discount(position: usize) -> f64 {
    1.0 / ((position + 2) as f64).log2()
}

impl fmt::Display for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "P@10 {:.4} R@10 {:.4} NDCG@10 {:.4} HR@10 {:.4} cov {:.3}",
            self.precision, self.recall, self.ndcg, self.hit_rate, self.coverage
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndcg_of_a_known_ranking() {
        // Hits at positions 0 and 2 of 10, three held-out items.
        let mut sum = MetricsSum::new(20);
        sum.add(&[1, 9, 2, 10, 11, 12, 13, 14, 15, 16], &[1, 2, 3]);
        let m = sum.finish();
        let dcg = 1.0 + 1.0 / 4f64.log2();
        let idcg = 1.0 + 1.0 / 3f64.log2() + 1.0 / 4f64.log2();
        assert!((m.ndcg - dcg / idcg).abs() < 1e-12);
        assert!((m.precision - 0.2).abs() < 1e-12);
        assert!((m.recall - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(m.hit_rate, 1.0);
        assert!((m.coverage - 0.5).abs() < 1e-12);
    }

    #[test]
    fn users_are_averaged_and_a_perfect_ranking_scores_one() {
        let mut sum = MetricsSum::new(12);
        sum.add(&[5, 6], &[5, 6]);
        sum.add(&[0, 1, 2, 3, 4, 7, 8, 9, 10, 11], &[6]);
        let m = sum.finish();
        assert!((m.ndcg - 0.5).abs() < 1e-12);
        assert!((m.hit_rate - 0.5).abs() < 1e-12);
        assert!((m.precision - 0.1).abs() < 1e-12);
    }
}
