//! Resident memory of a process, as the kernel counts it.

/// A field of `/proc/<pid>/status` counted in kB, in MiB (0 when the process is gone).
fn status_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// `VmRSS` of `pid`, in MiB (0 when the process is gone).
pub(crate) fn rss_mib(pid: u32) -> f64 {
    status_mib(pid, "VmRSS")
}

/// What the resident memory of `pid` is made of, in MiB: (heap and other
/// anonymous memory, pages of mapped files — the binary's own code among them).
pub(crate) fn rss_parts_mib(pid: u32) -> (f64, f64) {
    (status_mib(pid, "RssAnon"), status_mib(pid, "RssFile") + status_mib(pid, "RssShmem"))
}
