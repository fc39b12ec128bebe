//! The result of a model selection, printable as an aligned table.

use std::fmt;

use crate::algorithm::Algorithm;
use crate::eval::metrics::Metrics;
use crate::recency::Recency;

/// One selected setting and how it did on the test split.
#[derive(Debug, Clone)]
pub struct Row {
    /// What the row is (family, and "flat" for the no-recency variant).
    pub label: String,
    /// The settings chosen on validation.
    pub algorithm: Algorithm,
    /// The history decay chosen on validation.
    pub recency: Recency,
    /// Validation NDCG@10 of the choice (what it was chosen by).
    pub validation_ndcg: f64,
    /// Test metrics of the choice, retrained on all of train.
    pub test: Metrics,
    /// Wall time of that training.
    pub train_seconds: f64,
}

/// Rows per family plus the overall choice.
#[derive(Debug, Clone)]
pub struct Report {
    /// Users, items and plays of the data, and of its splits.
    pub summary: String,
    /// Every family's choice, in grid order, blends last.
    pub rows: Vec<Row>,
    /// Index into `rows` of the best validation NDCG@10 overall.
    pub chosen: usize,
    /// Wall time of the whole selection.
    pub total_seconds: f64,
}

impl Report {
    /// The overall choice.
    pub fn chosen(&self) -> &Row {
        &self.rows[self.chosen]
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.summary)?;
        let label_w = self.rows.iter().map(|r| r.label.chars().count()).max().unwrap_or(0).max(6) + 2;
        const SETTINGS: &str = "settings (chosen on validation)";
        let rule = label_w + 60 + SETTINGS.len();
        let columns = ["val N@10", "P@10", "R@10", "NDCG@10", "HR@10", "cov", "train_s"];
        write!(f, "{:label_w$}", "method")?;
        for (name, width) in columns.iter().zip([8, 8, 8, 9, 8, 7, 9]) {
            write!(f, "{name:>width$}")?;
        }
        writeln!(f, "  {SETTINGS}")?;
        writeln!(f, "{}", "-".repeat(rule))?;
        for (i, row) in self.rows.iter().enumerate() {
            let mark = if i == self.chosen { "* " } else { "  " };
            let label = format!("{mark}{}", row.label);
            let t = &row.test;
            writeln!(
                f,
                "{label:label_w$}{:>8.4} {:>7.4} {:>7.4} {:>8.4} {:>7.4} {:>6.3} {:>8.3}  {} | {}",
                row.validation_ndcg,
                t.precision,
                t.recall,
                t.ndcg,
                t.hit_rate,
                t.coverage,
                row.train_seconds,
                row.algorithm,
                row.recency
            )?;
        }
        write!(f, "* chosen by validation NDCG@10; selection and tests took {:.1} s", self.total_seconds)
    }
}
