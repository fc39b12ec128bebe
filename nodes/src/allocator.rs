//! How `chorus-node`'s allocator (mimalloc) gives memory back.
//!
//! mimalloc delays returning freed pages to the OS (`purge_delay`: 1 s, and
//! ten times that for its arenas, in mimalloc 3) and purges what is due only
//! when the allocator is busy again: a thread that goes idle after a burst
//! (catching up a view, building the search index, loading a model) keeps
//! its pages resident for good. So the node purges after 10 ms.
//!
//! Not at once: a request that allocates large buffers and frees them
//! (tantivy's union scorers, some 32 KB each, several a search) then takes
//! fresh pages from the kernel every time, zeroed, with a TLB shootdown when
//! they go back. Measured (release, `chorus-bench search --tracks 10000`, the
//! full search-box request at 16 in flight, same session): 906 req/s, p99
//! 34 ms purging at once; 1,528 req/s, p99 19 ms after 10 ms; 1,638, p99
//! 18 ms with the default. An edge site's pair (`chorus-bench edge --tracks
//! 10000`, alternating runs): 187–188 MiB at once, 195–210 MiB after 10 ms
//! (its catch-up 3.1 s against 2.2–2.8 s); 217–264 MiB with the default.
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

/// How soon freed memory goes back to the OS, in milliseconds (see the module docs).
pub const PURGE_AFTER_MS: c_long = 10;

/// Return freed memory to the OS after [`PURGE_AFTER_MS`], unless
/// `MIMALLOC_PURGE_DELAY` (or its older name `MIMALLOC_RESET_DELAY`) says otherwise.
pub fn return_freed_memory_soon() {
    let set = ["MIMALLOC_PURGE_DELAY", "MIMALLOC_RESET_DELAY"].iter().any(|v| std::env::var_os(v).is_some());
    if !set {
        // SAFETY: sets one option in mimalloc's table of plain integers,
        // which mimalloc reads each time it schedules a purge.
        unsafe { mi_option_set(PURGE_DELAY, PURGE_AFTER_MS) }
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
            return_freed_memory_soon();
            assert_eq!(purge_delay_ms(), PURGE_AFTER_MS);
        }
    }
}
