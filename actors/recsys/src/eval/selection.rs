//! Choosing settings on validation only, then measuring the choice on test.

use std::time::Instant;

use crate::algorithm::Algorithm;
use crate::dataset::Dataset;
use crate::eval::grid::Grid;
use crate::eval::metrics::Metrics;
use crate::eval::protocol::evaluate;
use crate::eval::report::{Report, Row};
use crate::eval::split::{temporal_split, Split, HOLD_OUT, MIN_PLAYS};
use crate::model::Model;
use crate::recency::Recency;

/// A setting scored on validation.
struct Trial {
    algorithm: Algorithm,
    recency: Recency,
    ndcg: f64,
}

/// A family's winners: overall, and with a flat history (to show what recency adds).
struct FamilyBest {
    label: &'static str,
    best: Trial,
    flat: Trial,
    /// The winner trained on the validation split, kept for blending.
    model: Model,
}

/// Splits `data` (test = each user's latest plays), splits train again for
/// validation, picks every family's settings and the blends' by validation
/// NDCG@10, then retrains each pick on all of train and tests it.
pub fn select(data: &Dataset, grid: &Grid) -> anyhow::Result<Report> {
    let started = Instant::now();
    let outer = temporal_split(data, HOLD_OUT, MIN_PLAYS);
    let inner = temporal_split(&outer.train, HOLD_OUT, MIN_PLAYS);
    let inner_data = inner.train.interactions()?;

    let mut families = Vec::new();
    for (label, settings) in &grid.families {
        let mut best: Option<(Trial, Model)> = None;
        let mut best_flat: Option<Trial> = None;
        for algorithm in settings {
            let model = Model::train(&inner_data, algorithm)?;
            let (top, flat) = best_recency(&model, &inner, &grid.recencies);
            if best_flat.as_ref().is_none_or(|b| flat.ndcg > b.ndcg) {
                best_flat = Some(flat);
            }
            if best.as_ref().is_none_or(|(b, _)| top.ndcg > b.ndcg) {
                best = Some((top, model));
            }
        }
        if let (Some((best, model)), Some(flat)) = (best, best_flat) {
            families.push(FamilyBest { label, best, flat, model });
        }
    }

    let blend = best_blend(&families, &inner, grid)?;

    let outer_data = outer.train.interactions()?;
    let test = |label: String, trial: &Trial| -> anyhow::Result<Row> {
        let clock = Instant::now();
        let model = Model::train(&outer_data, &trial.algorithm)?;
        let train_seconds = clock.elapsed().as_secs_f64();
        Ok(Row {
            label,
            algorithm: trial.algorithm.clone(),
            recency: trial.recency,
            validation_ndcg: trial.ndcg,
            test: evaluate(&model, &outer.train, &outer.test, trial.recency),
            train_seconds,
        })
    };
    let mut rows = Vec::new();
    for family in &families {
        if family.best.recency != Recency::Flat {
            rows.push(test(format!("{} (flat history)", family.label), &family.flat)?);
        }
        rows.push(test(family.label.to_string(), &family.best)?);
    }
    if let Some(blend) = &blend {
        rows.push(test("blend".to_string(), blend)?);
    }
    let chosen = (0..rows.len())
        .reduce(|b, r| if rows[r].validation_ndcg > rows[b].validation_ndcg { r } else { b })
        .unwrap_or(0);
    Ok(Report { summary: summary(data, &outer, &inner), rows, chosen, total_seconds: started.elapsed().as_secs_f64() })
}

/// The model's best decay on validation, and its flat-history score.
fn best_recency(model: &Model, inner: &Split, recencies: &[Recency]) -> (Trial, Trial) {
    let mut scored: Vec<(Recency, Metrics)> =
        recencies.iter().map(|&r| (r, evaluate(model, &inner.train, &inner.test, r))).collect();
    if !recencies.contains(&Recency::Flat) {
        scored.push((Recency::Flat, evaluate(model, &inner.train, &inner.test, Recency::Flat)));
    }
    let trial = |(recency, m): &(Recency, Metrics)| Trial {
        algorithm: model.algorithm().clone(),
        recency: *recency,
        ndcg: m.ndcg,
    };
    // The first of equal scores wins, so a decay is only chosen when it helps.
    let best = scored.iter().reduce(|b, s| if s.1.ndcg > b.1.ndcg { s } else { b }).expect("at least the flat decay");
    let flat = scored.iter().find(|s| s.0 == Recency::Flat).expect("flat is scored");
    (trial(best), trial(flat))
}

/// The best blend of two family winners (popularity aside) on validation.
fn best_blend(families: &[FamilyBest], inner: &Split, grid: &Grid) -> anyhow::Result<Option<Trial>> {
    let personal: Vec<&FamilyBest> = families.iter().filter(|f| f.best.algorithm != Algorithm::Popularity).collect();
    let mut best: Option<Trial> = None;
    for (i, a) in personal.iter().enumerate() {
        for b in &personal[i + 1..] {
            for &weight in &grid.blend_weights {
                let model = Model::blend(a.model.clone(), b.model.clone(), weight)?;
                let (top, _) = best_recency(&model, inner, &grid.recencies);
                if best.as_ref().is_none_or(|t| top.ndcg > t.ndcg) {
                    best = Some(top);
                }
            }
        }
    }
    Ok(best)
}

fn summary(data: &Dataset, outer: &Split, inner: &Split) -> String {
    let held: usize = outer.test.iter().map(|(_, items)| items.len()).sum();
    format!(
        "{} users, {} items, {} plays; test: {} users, {} held-out plays; validation (inside train): {} users",
        data.n_users(),
        data.n_items(),
        data.plays(),
        outer.test.len(),
        held,
        inner.test.len()
    )
}
