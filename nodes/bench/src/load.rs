//! A closed-loop load generator: N requests in flight for a fixed time.

use std::future::Future;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

/// What one load run measured.
pub(crate) struct Figures {
    pub(crate) requests: u64,
    pub(crate) errors: u64,
    pub(crate) elapsed: Duration,
    pub(crate) latency_us: Histogram<u64>,
}

impl Figures {
    pub(crate) fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub(crate) fn p(&self, q: f64) -> f64 {
        self.latency_us.value_at_quantile(q) as f64
    }

    /// Two measurements of the same thing as one.
    pub(crate) fn merge(mut self, other: Figures) -> Figures {
        self.requests += other.requests;
        self.errors += other.errors;
        self.elapsed += other.elapsed;
        let _ = self.latency_us.add(other.latency_us);
        self
    }
}

/// Keep `in_flight` calls of `call` going for `warmup + measure`; count only the measured part.
pub(crate) async fn closed_loop<F, Fut>(in_flight: usize, warmup: Duration, measure: Duration, call: F) -> Figures
where
    F: Fn(u64) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = bool> + Send,
{
    let start = Instant::now();
    let (from, until) = (start + warmup, start + warmup + measure);
    let tasks: Vec<_> = (0..in_flight)
        .map(|t| {
            let call = call.clone();
            tokio::spawn(async move {
                let mut h = histogram();
                let (mut n, mut errors, mut i) = (0u64, 0u64, t as u64);
                loop {
                    let sent = Instant::now();
                    if sent >= until {
                        break;
                    }
                    let ok = call(i).await;
                    i += in_flight as u64;
                    if sent >= from {
                        n += 1;
                        if !ok {
                            errors += 1;
                        }
                        let _ = h.record(sent.elapsed().as_micros().max(1) as u64);
                    }
                }
                (n, errors, h)
            })
        })
        .collect();
    let mut figures = Figures { requests: 0, errors: 0, elapsed: measure, latency_us: histogram() };
    for task in tasks {
        if let Ok((n, e, h)) = task.await {
            figures.requests += n;
            figures.errors += e;
            let _ = figures.latency_us.add(h);
        }
    }
    figures
}

/// Latencies from 1 µs to 60 s at 3 significant digits.
pub(crate) fn histogram() -> Histogram<u64> {
    // Constant, valid bounds: this cannot fail.
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds")
}

/// One line of figures, and their ratio to the raw echo's in the same run.
pub(crate) fn report(name: &str, f: &Figures, raw: &Figures) {
    println!(
        "{name:>20}: {:>8.0} req/s, p50 {:>6.0} µs, p99 {:>6.0} µs, {} failed | against raw: {:.3} req/s, {:.2}× p99",
        f.rate(),
        f.p(0.5),
        f.p(0.99),
        f.errors,
        f.rate() / raw.rate().max(1.0),
        f.p(0.99) / raw.p(0.99).max(1.0)
    );
}
