//! Which model to train, and with what settings: the one value a caller
//! stores in configuration and a trained model remembers.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Neighbours kept per item when a setting does not say.
pub const DEFAULT_NEIGHBOURS: usize = 100;

/// A recommender family and its hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// Most distinct listeners first; the same for everyone.
    Popularity,
    /// Item-item cosine similarity with shrinkage, `k` neighbours per item.
    ItemKnn {
        /// Neighbours kept per item.
        k: usize,
        /// Added to the cosine's denominator; damps similarities with little support.
        shrink: f32,
    },
    /// Random walk item → user → item with a popularity discount (RP3beta).
    Rp3Beta {
        /// Exponent on transition probabilities (below 1 flattens them).
        alpha: f32,
        /// Popularity discount exponent on the destination item.
        beta: f32,
        /// Neighbours kept per item.
        k: usize,
    },
    /// EASE (Steck 2019), dense closed form, then the top `k` per item.
    Ease {
        /// L2 regularisation on the item-item weights.
        lambda: f32,
        /// Neighbours kept per item after training.
        #[serde(default = "default_neighbours")]
        k: usize,
        /// Refuse to train above this many played items (the matrix is dense).
        #[serde(default = "default_ease_max_items")]
        max_items: usize,
    },
    /// Implicit ALS (Hu et al. 2008); users are folded in at request time.
    Als {
        /// Latent dimensions.
        factors: usize,
        /// L2 regularisation.
        reg: f32,
        /// Confidence per unit of weight: `c = 1 + alpha·weight`.
        alpha: f32,
        /// Alternating sweeps.
        iterations: usize,
    },
    /// `weight·a + (1 − weight)·b`, each side's scores scaled to a maximum of 1.
    Blend {
        /// First model.
        a: Box<Algorithm>,
        /// Second model.
        b: Box<Algorithm>,
        /// Share of `a`, in `[0, 1]`.
        weight: f32,
    },
}

fn default_neighbours() -> usize {
    DEFAULT_NEIGHBOURS
}

fn default_ease_max_items() -> usize {
    crate::ease::DEFAULT_MAX_ITEMS
}

/// Settings that cannot train a model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid {algorithm} setting: {reason}")]
pub struct InvalidAlgorithm {
    /// The family with the bad setting.
    pub algorithm: &'static str,
    /// What is wrong.
    pub reason: &'static str,
}

impl Algorithm {
    /// The family's short name, as in reports.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Popularity => "popularity",
            Self::ItemKnn { .. } => "item-knn",
            Self::Rp3Beta { .. } => "rp3beta",
            Self::Ease { .. } => "ease",
            Self::Als { .. } => "als",
            Self::Blend { .. } => "blend",
        }
    }

    /// Checks every setting is usable, so training fails before it starts.
    pub fn validate(&self) -> Result<(), InvalidAlgorithm> {
        let bad = |reason| Err(InvalidAlgorithm { algorithm: self.name(), reason });
        let finite_non_negative = |x: f32| x.is_finite() && x >= 0.0;
        match self {
            Self::Popularity => Ok(()),
            Self::ItemKnn { k, shrink } => match (*k > 0, finite_non_negative(*shrink)) {
                (false, _) => bad("k must be at least 1"),
                (_, false) => bad("shrink must be finite and non-negative"),
                _ => Ok(()),
            },
            Self::Rp3Beta { alpha, beta, k } => match (*k > 0, *alpha > 0.0 && alpha.is_finite(), beta.is_finite()) {
                (false, _, _) => bad("k must be at least 1"),
                (_, false, _) => bad("alpha must be finite and positive"),
                (_, _, false) => bad("beta must be finite"),
                _ => Ok(()),
            },
            Self::Ease { lambda, k, .. } => match (*k > 0, *lambda > 0.0 && lambda.is_finite()) {
                (false, _) => bad("k must be at least 1"),
                (_, false) => bad("lambda must be finite and positive"),
                _ => Ok(()),
            },
            Self::Als { factors, reg, alpha, iterations } => {
                match (*factors > 0, *reg > 0.0 && reg.is_finite(), finite_non_negative(*alpha), *iterations > 0) {
                    (false, ..) => bad("factors must be at least 1"),
                    (_, false, ..) => bad("reg must be finite and positive"),
                    (_, _, false, _) => bad("alpha must be finite and non-negative"),
                    (.., false) => bad("iterations must be at least 1"),
                    _ => Ok(()),
                }
            }
            Self::Blend { a, b, weight } => {
                if !(0.0..=1.0).contains(weight) {
                    return bad("weight must be in [0, 1]");
                }
                a.validate()?;
                b.validate()
            }
        }
    }
}

/// The choice of `eval::ml100k_report` (validation NDCG@10 0.192, test
/// 0.163 with [`crate::Recency::default`]): RP3beta neighbours blended with
/// ALS. Both sides train at 100,000 items; EASE, as good alone, does not.
impl Default for Algorithm {
    fn default() -> Self {
        Self::Blend {
            a: Box::new(Self::Rp3Beta { alpha: 0.4, beta: 0.65, k: 200 }),
            b: Box::new(Self::Als { factors: 32, reg: 5.0, alpha: 10.0, iterations: 15 }),
            weight: 0.7,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Popularity => write!(f, "popularity"),
            Self::ItemKnn { k, shrink } => write!(f, "item-knn k={k} shrink={shrink}"),
            Self::Rp3Beta { alpha, beta, k } => write!(f, "rp3beta alpha={alpha} beta={beta} k={k}"),
            Self::Ease { lambda, k, .. } => write!(f, "ease lambda={lambda} k={k}"),
            Self::Als { factors, reg, alpha, iterations } => {
                write!(f, "als factors={factors} reg={reg} alpha={alpha} it={iterations}")
            }
            Self::Blend { a, b, weight } => write!(f, "{weight}×[{a}] + {}×[{b}]", 1.0 - weight),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_settings_are_refused_and_good_ones_pass() {
        assert!(Algorithm::ItemKnn { k: 0, shrink: 0.0 }.validate().is_err());
        assert!(Algorithm::Ease { lambda: -1.0, k: 10, max_items: 5 }.validate().is_err());
        let blend =
            Algorithm::Blend { a: Box::new(Algorithm::Popularity), b: Box::new(Algorithm::default()), weight: 1.5 };
        assert!(blend.validate().is_err());
        assert!(Algorithm::default().validate().is_ok());
    }
}
