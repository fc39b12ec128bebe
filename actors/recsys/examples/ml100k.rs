//! Prints the MovieLens-100k model selection report.
//!
//! `cargo run --release -p chorus-recsys --example ml100k -- /tmp/anchors-data/ml-100k.inter`

fn main() -> anyhow::Result<()> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "/tmp/anchors-data/ml-100k.inter".to_string());
    println!("{}", chorus_recsys::eval::ml100k_report(&path)?);
    Ok(())
}
