//! What a handler knows about the request it serves.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chorus_nats::{headers, trace::TraceContext, Encoding};
use uuid::Uuid;

/// Per-request facts, decoded once by the ingress.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    /// The subject the request came on.
    pub subject: String,
    /// A new id for this request, for logs.
    pub request_id: Uuid,
    /// The caller's trace, or a new one.
    pub trace: TraceContext,
    /// Body encoding of the request and of its reply.
    pub encoding: Encoding,
    /// When the work must be done by; past it the request gets 504.
    pub deadline: Instant,
    /// The bearer token, if any.
    pub token: Option<String>,
    /// Read-your-writes: the state sequence this instance must have applied.
    pub min_seq: Option<u64>,
    /// The sequence of a write this request made; see [`RequestCtx::wrote`].
    written: Arc<AtomicU64>,
}

impl RequestCtx {
    /// Decode the runtime's headers. `default_timeout` bounds requests that carry
    /// no deadline. A malformed header is ignored rather than failing the request.
    pub fn from_message(msg: &async_nats::Message, default_timeout: Duration) -> Self {
        let h = msg.headers.as_ref();
        let get = |name: &str| h.and_then(|h| h.get(name)).map(|v| v.as_str());
        let now = Instant::now();
        let deadline = get(headers::DEADLINE)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|at_ms| {
                let now_ms = headers::now_ms();
                match at_ms.checked_sub(now_ms) {
                    Some(left) => now + Duration::from_millis(left).min(default_timeout),
                    None => now.checked_sub(Duration::from_millis(now_ms - at_ms)).unwrap_or(now),
                }
            })
            .unwrap_or(now + default_timeout);
        let token = get(headers::AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer ")).map(|t| t.trim().to_string());
        Self {
            subject: msg.subject.to_string(),
            request_id: request_id(),
            trace: get(headers::TRACEPARENT).and_then(TraceContext::parse).unwrap_or_default(),
            encoding: Encoding::detect(get(headers::CONTENT_TYPE), &msg.payload),
            deadline,
            token,
            min_seq: get(headers::MIN_SEQ).and_then(|v| v.trim().parse().ok()),
            written: Arc::default(),
        }
    }

    /// Record that this request wrote at `seq`: the reply carries it as
    /// `Chorus-Seq`, and the client asks other instances for it.
    pub fn wrote(&self, seq: u64) {
        self.written.fetch_max(seq, Ordering::AcqRel);
    }

    /// A handle on the write sequence that outlives the context.
    pub(crate) fn write_seq(&self) -> Arc<AtomicU64> {
        self.written.clone()
    }

    /// Whether the deadline has passed.
    pub fn expired(&self) -> bool {
        Instant::now() >= self.deadline
    }
}

/// A uuid v7 from the clock and the thread's generator (no system call).
fn request_id() -> Uuid {
    let ms = headers::now_ms();
    uuid::Builder::from_unix_timestamp_millis(ms, &rand::Rng::random(&mut rand::rng())).into_uuid()
}
