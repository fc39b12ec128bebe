//! How `chorus-node`'s allocator (mimalloc) gives memory back.
//!
//! mimalloc delays returning freed pages to the OS (`purge_delay`: 1 s, and
//! ten times that for its arenas, in mimalloc 3) and purges what is due only
//! when the allocator is busy again: a thread that goes idle after a burst (catching up a view,
//! building the search index, loading a model) keeps its pages resident
//! for good. Measured on an edge site's node with 10,000 tracks (catalog,
//! search, stream, recommend; `chorus-bench edge`): 217–264 MiB resident
//! with the default, 154 MiB purging at once. The request path showed no
//! cost (`chorus-bench request`, track.get against the raw echo at 16 and 64
//! in flight, alternating runs: 0.67–0.72 purging at once, 0.61–0.83 with
//! the default, this machine's noise). What it costs is a catch-up's pace:
//! the site's views of 10,000 tracks caught up in 3.6–3.7 s against 2.6–2.7 s
//! with a 10 ms delay (which kept 177–193 MiB resident, 152–158 at once).
//! `MIMALLOC_PURGE_DELAY` in the environment still wins.

use std::ffi::{c_int, c_long};

// The C library these functions are in (also the global allocator of `chorus-node`).
use mimalloc as _;

extern "C" {
    // mimalloc 3 as libmimalloc-sys 0.1.49 builds it: `mi_option_e`'s numbers.
    fn mi_option_get(option: c_int) -> c_long;
    fn mi_option_set(option: c_int, value: c_long);
}

/// `mi_option_purge_delay`: milliseconds before freed memory is returned.
const PURGE_DELAY: c_int = 15;

/// Return freed memory to the OS at once, unless `MIMALLOC_PURGE_DELAY` (or
/// its older name `MIMALLOC_RESET_DELAY`) says otherwise.
pub fn return_freed_memory_at_once() {
    let set = ["MIMALLOC_PURGE_DELAY", "MIMALLOC_RESET_DELAY"].iter().any(|v| std::env::var_os(v).is_some());
    if !set {
        // SAFETY: sets one option in mimalloc's table of plain integers,
        // which mimalloc reads each time it schedules a purge.
        unsafe { mi_option_set(PURGE_DELAY, 0) }
    }
}

/// The purge delay mimalloc uses now, in milliseconds.
pub fn purge_delay_ms() -> c_long {
    // SAFETY: reads one option from mimalloc's table.
    unsafe { mi_option_get(PURGE_DELAY) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_set_is_the_purge_delay() {
        // mimalloc 3's default (1,000 ms) identifies the option's number.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(purge_delay_ms(), 1000, "option 15 is not mimalloc's purge_delay");
            return_freed_memory_at_once();
            assert_eq!(purge_delay_ms(), 0);
        }
    }
}
