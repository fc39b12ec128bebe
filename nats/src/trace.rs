//! W3C trace context (`traceparent: 00-<trace id>-<parent id>-<flags>`).

use uuid::Uuid;

/// The parts of a `traceparent` header the services carry along.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceContext {
    /// 32 lowercase hex digits.
    pub trace_id: String,
    /// 16 lowercase hex digits: the caller's span.
    pub parent_id: String,
}

impl TraceContext {
    /// A new trace, for a request that arrives without one.
    pub fn new() -> Self {
        let trace = Uuid::new_v4().simple().to_string();
        let span = Uuid::new_v4().simple().to_string();
        Self { trace_id: trace, parent_id: span[..16].to_string() }
    }

    /// Parse a `traceparent` header; `None` when it is malformed.
    pub fn parse(header: &str) -> Option<Self> {
        let mut parts = header.trim().split('-');
        let (version, trace, parent, flags) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex(version, 2) || !hex(trace, 32) || !hex(parent, 16) || !hex(flags, 2) {
            return None;
        }
        if trace.bytes().all(|b| b == b'0') || parent.bytes().all(|b| b == b'0') {
            return None;
        }
        Some(Self { trace_id: trace.to_ascii_lowercase(), parent_id: parent.to_ascii_lowercase() })
    }

    /// This context as a `traceparent` header value (sampled).
    pub fn header(&self) -> String {
        format!("00-{}-{}-01", self.trace_id, self.parent_id)
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
        assert_eq!(TraceContext::parse("00-abc-def-01"), None);
        assert_eq!(TraceContext::parse(&format!("00-{}-{}-01", "0".repeat(32), "1".repeat(16))), None);
    }
}
