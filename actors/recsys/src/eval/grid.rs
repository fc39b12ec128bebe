//! The settings tried per family, kept small enough that the whole
//! MovieLens-100k report runs in well under two minutes on two cores.

use crate::algorithm::Algorithm;
use crate::recency::Recency;

/// Settings to try: per family a list of algorithms, a list of history
/// decays tried with every trained model, and blend weights for pairs of
/// the families' winners.
#[derive(Debug, Clone)]
pub struct Grid {
    /// `(family label, settings)`.
    pub families: Vec<(&'static str, Vec<Algorithm>)>,
    /// Decays applied to the history at scoring time (no retraining needed).
    pub recencies: Vec<Recency>,
    /// Shares of the first model tried for every pair of family winners.
    pub blend_weights: Vec<f32>,
}

impl Grid {
    /// The grid used for MovieLens-100k.
    ///
    /// The ranges bracket the anchor's (kNN `k` 20–all, EASE λ 50–1000,
    /// ALS α 1–40) and the RP3beta settings Dacrema et al. report for small
    /// MovieLens; play-count half-lives span a session to a month's listening.
    pub fn ml100k() -> Self {
        let mut knn = Vec::new();
        for k in [50, 100, 200] {
            for shrink in [0.0, 10.0] {
                knn.push(Algorithm::ItemKnn { k, shrink });
            }
        }
        let mut rp3 = Vec::new();
        for alpha in [0.4, 0.6, 0.8] {
            for beta in [0.3, 0.5, 0.65] {
                for k in [100, 200] {
                    rp3.push(Algorithm::Rp3Beta { alpha, beta, k });
                }
            }
        }
        let ease = [100.0, 250.0, 500.0, 1000.0]
            .map(|lambda| Algorithm::Ease { lambda, k: 200, max_items: crate::ease::DEFAULT_MAX_ITEMS })
            .to_vec();
        let mut als = Vec::new();
        for factors in [32, 64] {
            for reg in [0.05, 5.0] {
                for alpha in [1.0, 10.0] {
                    als.push(Algorithm::Als { factors, reg, alpha, iterations: 15 });
                }
            }
        }
        Grid {
            families: vec![
                ("popularity", vec![Algorithm::Popularity]),
                ("item-knn", knn),
                ("rp3beta", rp3),
                ("ease", ease),
                ("als", als),
            ],
            recencies: vec![
                Recency::Flat,
                Recency::Plays { half_life: 3.0 },
                Recency::Plays { half_life: 5.0 },
                Recency::Plays { half_life: 8.0 },
                Recency::Plays { half_life: 15.0 },
                Recency::Time { half_life: 3600 },
            ],
            blend_weights: vec![0.3, 0.5, 0.7],
        }
    }
}
