//! What a handler knows about the request it serves.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chorus_nats::messages::auth::Claims;
use chorus_nats::{headers, trace::TraceContext, Encoding, ServiceError};
use uuid::Uuid;

use crate::writes::Writes;

/// Per-request facts, decoded once by the ingress.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    /// The subject the request came on.
    pub subject: async_nats::Subject,
    /// Where the reply goes: the caller's inbox.
    pub reply: Option<async_nats::Subject>,
    /// A new id for this request, for logs.
    pub request_id: Uuid,
    /// The caller's trace, or a new one.
    pub trace: TraceContext,
    /// Body encoding of the request and of its reply.
    pub encoding: Encoding,
    /// When the work must be done by; past it the request gets 504.
    pub deadline: Instant,
    /// The request's headers, kept for the few that are read only on some
    /// endpoints (the bearer token): moved from the message, never copied.
    headers: Option<async_nats::HeaderMap>,
    /// Read-your-writes: the state sequence this instance must have applied.
    pub min_seq: Option<u64>,
    /// The verified caller, on endpoints that are not public.
    pub claims: Option<Arc<Claims>>,
    /// Where the worker collects the sequences of writes; see [`RequestCtx::wrote`].
    written: Option<Arc<Writes>>,
}

impl RequestCtx {
    /// Decode the runtime's headers. `default_timeout` bounds requests that carry
    /// no deadline. A malformed header is ignored rather than failing the request.
    pub fn from_message(msg: &mut async_nats::Message, default_timeout: Duration) -> Self {
        // One pass over the headers, comparing names in place: a lookup by
        // name would build (and allocate) a header name per call.
        let (mut deadline, mut trace, mut content_type, mut min_seq) = (None, None, None, None);
        if let Some(h) = msg.headers.as_ref() {
            for (name, values) in h.iter() {
                let Some(value) = values.first().map(|v| v.as_str()) else { continue };
                let name: &str = name.as_ref();
                let slot = if name.eq_ignore_ascii_case(headers::DEADLINE) {
                    &mut deadline
                } else if name.eq_ignore_ascii_case(headers::TRACEPARENT) {
                    &mut trace
                } else if name.eq_ignore_ascii_case(headers::CONTENT_TYPE) {
                    &mut content_type
                } else if name.eq_ignore_ascii_case(headers::MIN_SEQ) {
                    &mut min_seq
                } else {
                    continue;
                };
                *slot = Some(value);
            }
        }
        let now = Instant::now();
        let deadline = deadline
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|at_ms| {
                let now_ms = chorus_nats::clock::now_ms();
                match at_ms.checked_sub(now_ms) {
                    Some(left) => now + Duration::from_millis(left).min(default_timeout),
                    None => now.checked_sub(Duration::from_millis(now_ms - at_ms)).unwrap_or(now),
                }
            })
            .unwrap_or(now + default_timeout);
        Self {
            subject: msg.subject.clone(),
            reply: msg.reply.clone(),
            request_id: request_id(),
            trace: trace.and_then(TraceContext::parse).unwrap_or_default(),
            encoding: Encoding::detect(content_type, &msg.payload),
            deadline,
            min_seq: min_seq.and_then(|v| v.trim().parse().ok()),
            claims: None,
            written: None,
            headers: msg.headers.take(),
        }
    }

    /// The bearer token (`Authorization: Bearer <token>`), if any.
    pub fn token(&self) -> Option<&str> {
        Some(self.header(headers::AUTHORIZATION)?.strip_prefix("Bearer ")?.trim())
    }

    /// Record that this request wrote at `seq`: the reply carries it as
    /// `Chorus-Seq`, and the client asks other instances for it.
    pub fn wrote(&self, seq: u64) {
        if let Some(w) = &self.written {
            w.own(seq);
        }
    }

    /// Record that this request wrote at `seq` in `service`'s record on the
    /// caller's behalf: the reply carries it as `Chorus-Seq-Of-<service>`, and
    /// the client asks that service's instances for it.
    pub fn wrote_in(&self, service: &'static str, seq: u64) {
        if let Some(w) = &self.written {
            w.other(service, seq);
        }
    }

    /// Collect writes into `slot` (the worker's, reused from job to job).
    pub(crate) fn collect_writes(&mut self, slot: &Arc<Writes>) {
        slot.reset();
        self.written = Some(slot.clone());
    }

    /// The signed-in caller. Always there on authenticated and admin endpoints
    /// (the runtime checked the token); 401 on a public one.
    pub fn caller(&self) -> Result<&Claims, ServiceError> {
        self.claims.as_deref().ok_or_else(crate::auth::missing_token)
    }

    /// A client for asking other services on the caller's behalf: it carries
    /// the caller's token, so they apply the caller's rights, not the service's,
    /// and continues the caller's trace.
    pub fn as_caller(&self, nats: &async_nats::Client) -> chorus_nats::ChorusClient {
        let client = chorus_nats::ChorusClient::new(nats.clone()).with_trace(self.trace.child());
        match self.token() {
            Some(token) => client.with_token(token),
            None => client,
        }
    }

    /// The caller's connection, as an identity it cannot choose: for a
    /// request that crossed a service import (every browser's), the server
    /// and connection id nats-server wrote into `Nats-Request-Info` (it
    /// replaces any such header the client sent); for a direct caller (a
    /// service or operator in the services' account, trusted), its reply
    /// inbox without the per-request token.
    pub fn client(&self) -> Option<String> {
        if let Some(requester) = self.imported_from() {
            return Some(requester);
        }
        let reply = self.reply.as_deref()?;
        Some(reply.rsplit_once('.').map_or(reply, |(prefix, _)| prefix).to_string())
    }

    /// The request's `Chorus-Idempotency-Key`, if it has one.
    pub fn idempotency_key(&self) -> Option<&str> {
        self.header(headers::IDEMPOTENCY_KEY)
    }

    /// For a request that crossed a service import (a browser's), the
    /// requester's `<server>/<connection id>` as nats-server names it.
    pub fn imported_from(&self) -> Option<String> {
        requester(self.header(headers::REQUEST_INFO)?)
    }

    fn header(&self, name: &str) -> Option<&str> {
        let (_, values) = self.headers.as_ref()?.iter().find(|(n, _)| {
            let n: &str = n.as_ref();
            n.eq_ignore_ascii_case(name)
        })?;
        Some(values.first()?.as_str())
    }

    /// Whether the deadline has passed.
    pub fn expired(&self) -> bool {
        Instant::now() >= self.deadline
    }
}

/// `<server>/<connection id>` from a `Nats-Request-Info` value.
fn requester(info: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Info<'a> {
        #[serde(borrow)]
        server: Option<std::borrow::Cow<'a, str>>,
        id: Option<u64>,
    }
    let info: Info = serde_json::from_str(info).ok()?;
    Some(format!("{}/{}", info.server?, info.id?))
}

/// A uuid v7 from the clock and the thread's generator (no system call).
fn request_id() -> Uuid {
    let ms = chorus_nats::clock::now_ms();
    uuid::Builder::from_unix_timestamp_millis(ms, &rand::Rng::random(&mut rand::rng())).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::requester;

    #[test]
    fn the_requester_is_the_server_and_connection_nats_server_names() {
        let info = r#"{"start":"2026-12-01T08:54:20Z","host":"127.0.0.1","id":8,"acc":"WEB","user":"web","server":"NCIAED","kind":"Client"}"#;
        assert_eq!(requester(info).as_deref(), Some("NCIAED/8"));
        assert_eq!(requester(r#"{"host":"127.0.0.1"}"#), None);
        assert_eq!(requester("not json"), None);
    }
}
