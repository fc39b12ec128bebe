//! W3C trace context (`traceparent: 00-<trace id>-<parent id>-<flags>`).
//!
//! Ids are kept as integers: parsing and making them costs no allocation on
//! the request path; they are formatted only when logged or sent.
//!
//! Traces Chorus starts are not sampled (flags `00`): it records no trace data
//! out of band, it only logs trace ids, and a sampled `traceparent` costs
//! nats-server (2.11 and later) a header map per message, built to look for
//! message tracing. A caller's sampled flag is carried along unchanged.

use std::fmt;

use rand::Rng;

/// The parts of a `traceparent` header the services carry along.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceContext {
    /// 128-bit trace id (never 0).
    pub trace_id: TraceId,
    /// 64-bit id of the caller's span (never 0).
    pub parent_id: u64,
    /// The caller records this trace (flag `01`).
    pub sampled: bool,
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
        Self { trace_id: TraceId(rng.random::<u128>().max(1)), parent_id: rng.random::<u64>().max(1), sampled: false }
    }

    /// The context a service passes on when it calls another while serving
    /// this one: the same trace and sampling, its own span id.
    pub fn child(&self) -> Self {
        Self { parent_id: rand::rng().random::<u64>().max(1), ..*self }
    }

    /// Parse a `traceparent` header; `None` when it is malformed.
    pub fn parse(header: &str) -> Option<Self> {
        let b = header.trim().as_bytes();
        // 2 + 1 + 32 + 1 + 16 + 1 + 2
        if b.len() != 55 || b[2] != b'-' || b[35] != b'-' || b[52] != b'-' {
            return None;
        }
        hex(&b[..2])?;
        let trace = hex(&b[3..35])?;
        let parent = hex(&b[36..52])?;
        let flags = hex(&b[53..])?;
        if trace == 0 || parent == 0 {
            return None;
        }
        Some(Self { trace_id: TraceId(trace), parent_id: parent as u64, sampled: flags & 1 == 1 })
    }

    /// This context as a `traceparent` header value.
    pub fn header(&self) -> String {
        let mut out = String::with_capacity(55);
        out.push_str("00-");
        push_hex(&mut out, self.trace_id.0, 32);
        out.push('-');
        push_hex(&mut out, self.parent_id as u128, 16);
        out.push_str(if self.sampled { "-01" } else { "-00" });
        out
    }
}

/// The value of at most 32 hex digits; `None` if any is not one.
fn hex(digits: &[u8]) -> Option<u128> {
    digits.iter().try_fold(0u128, |acc, &d| Some(acc << 4 | (d as char).to_digit(16)? as u128))
}

/// Append the low `digits` hex digits of `value`, lowercase and zero-padded.
fn push_hex(out: &mut String, value: u128, digits: u32) {
    for i in (0..digits).rev() {
        let nibble = (value >> (i * 4)) as u32 & 0xf;
        out.push(char::from_digit(nibble, 16).unwrap_or('0'));
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
        assert!(t.header().ends_with("-00"), "traces started here are not sampled");
        assert_eq!(TraceContext::parse(&t.header()), Some(t));
        let child = t.child();
        assert_eq!((child.trace_id, child.sampled), (t.trace_id, t.sampled));
        assert_ne!(child.parent_id, t.parent_id);
        let sampled = TraceContext { sampled: true, ..t };
        assert!(sampled.header().ends_with("-01"));
        assert_eq!(TraceContext::parse(&sampled.header()), Some(sampled));
        let fixed = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let parsed = TraceContext::parse(fixed).unwrap();
        assert_eq!(parsed.header(), fixed);
        assert_eq!(parsed.trace_id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(TraceContext::parse("00-abc-def-01"), None);
        assert_eq!(TraceContext::parse(&format!("00-{}-{}-01", "0".repeat(32), "1".repeat(16))), None);
        assert_eq!(TraceContext::parse(&format!("00-{}-{}-01", "+".repeat(32), "1".repeat(16))), None);
    }
}
