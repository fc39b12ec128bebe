//! W3C trace context (`traceparent: 00-<trace id>-<parent id>-<flags>`).
//!
//! Ids are kept as integers: parsing and making them costs no allocation on
//! the request path; they are formatted only when logged or sent.

use std::fmt;

use rand::Rng;

/// The parts of a `traceparent` header the services carry along.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceContext {
    /// 128-bit trace id (never 0).
    pub trace_id: TraceId,
    /// 64-bit id of the caller's span (never 0).
    pub parent_id: u64,
}

/// A trace id, shown as 32 lowercase hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceId(pub u128);

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl TraceContext {
    /// A new trace, for a request that arrives without one. Random from the
    /// thread's generator: no system call on the request path.
    pub fn new() -> Self {
        let mut rng = rand::rng();
        Self { trace_id: TraceId(rng.random::<u128>().max(1)), parent_id: rng.random::<u64>().max(1) }
    }

    /// Parse a `traceparent` header; `None` when it is malformed.
    pub fn parse(header: &str) -> Option<Self> {
        let b = header.trim().as_bytes();
        // 2 + 1 + 32 + 1 + 16 + 1 + 2
        if b.len() != 55 || b[2] != b'-' || b[35] != b'-' || b[52] != b'-' {
            return None;
        }
        let hex = |s: &[u8]| s.iter().all(u8::is_ascii_hexdigit);
        if !hex(&b[..2]) || !hex(&b[53..]) {
            return None;
        }
        let text = std::str::from_utf8(b).ok()?;
        let trace = u128::from_str_radix(&text[3..35], 16).ok()?;
        let parent = u64::from_str_radix(&text[36..52], 16).ok()?;
        if trace == 0 || parent == 0 || !hex(&b[3..35]) || !hex(&b[36..52]) {
            return None;
        }
        Some(Self { trace_id: TraceId(trace), parent_id: parent })
    }

    /// This context as a `traceparent` header value (sampled).
    pub fn header(&self) -> String {
        format!("00-{:032x}-{:016x}-01", self.trace_id.0, self.parent_id)
    }
}

impl Default for TraceContext {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_garbage() {
        let t = TraceContext::new();
        assert_eq!(TraceContext::parse(&t.header()), Some(t));
        let fixed = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let parsed = TraceContext::parse(fixed).unwrap();
        assert_eq!(parsed.header(), fixed);
        assert_eq!(parsed.trace_id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(TraceContext::parse("00-abc-def-01"), None);
        assert_eq!(TraceContext::parse(&format!("00-{}-{}-01", "0".repeat(32), "1".repeat(16))), None);
        assert_eq!(TraceContext::parse(&format!("00-{}-{}-01", "+".repeat(32), "1".repeat(16))), None);
    }
}
