//! Spreading independent rows over the machine's cores.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Rows handed out per grab: large enough that the shared counter is not
/// contended, small enough that a few heavy rows (popular items) do not
/// leave one core working while the others wait.
const BLOCK: usize = 64;

/// How many threads training may use: every core the process is allowed.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// Computes `f(row, &mut scratch)` for every row in `0..rows` on all cores
/// and returns the results in row order. `scratch` is made once per thread
/// by `make_scratch`, so per-row work can reuse a large buffer.
pub(crate) fn map_rows<S, T, F>(rows: usize, make_scratch: impl Fn() -> S + Sync, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize, &mut S) -> T + Sync,
{
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, Vec<T>)>> = Mutex::new(Vec::new());
    let workers = threads().min(rows.div_ceil(BLOCK)).max(1);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let mut scratch = make_scratch();
                loop {
                    let start = next.fetch_add(BLOCK, Ordering::Relaxed);
                    if start >= rows {
                        break;
                    }
                    let block: Vec<T> = (start..(start + BLOCK).min(rows)).map(|row| f(row, &mut scratch)).collect();
                    done.lock().expect("a worker panicked").push((start, block));
                }
            });
        }
    });
    let mut blocks = done.into_inner().expect("a worker panicked");
    blocks.sort_unstable_by_key(|(start, _)| *start);
    blocks.into_iter().flat_map(|(_, block)| block).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_back_in_row_order() {
        let got = super::map_rows(
            1000,
            || 0usize,
            |row, calls| {
                *calls += 1;
                row * 2
            },
        );
        assert_eq!(got, (0..1000).map(|r| r * 2).collect::<Vec<_>>());
    }
}
