//! Sending replies: a body, or an error with the micro headers and a `{code, message}` body.

use std::time::Instant;

use async_nats::{HeaderMap, Subject};
use bytes::Bytes;
use chorus_nats::{headers, Encoding, ServiceError};

use crate::stats::EndpointStats;
use crate::writes::Writes;

/// A header value made from text that may echo client input: no control
/// characters (a CR or LF would break the header block) and at most 256 bytes.
pub(crate) fn header_safe(text: &str) -> String {
    let mut out: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if out.len() > 256 {
        let mut end = 256;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
    }
    out
}

/// Where and how one request is answered: the caller's reply subject, the
/// request's encoding, the endpoint's stats and when the request arrived.
pub(crate) struct Reply<'a> {
    pub(crate) nats: &'a async_nats::Client,
    pub(crate) to: Subject,
    pub(crate) encoding: Encoding,
    pub(crate) stats: &'a EndpointStats,
    pub(crate) received: Instant,
}

impl Reply<'_> {
    /// Answer with `result`, carrying the sequences of what it `written`, and count it.
    pub(crate) async fn send(self, result: Result<Bytes, ServiceError>, written: Option<&Writes>) {
        let Reply { nats, to: reply, encoding, stats, received: started } = self;
        // MessagePack successes, the common case, go without headers: a header
        // block costs an allocation per reply. JSON says so; errors carry the
        // micro headers; writes carry their sequence.
        let mut h = HeaderMap::new();
        if encoding == Encoding::Json {
            h.insert(headers::names::CONTENT_TYPE, encoding.content_type());
        }
        if let Some(w) = written {
            if let Some(seq) = w.own_seq() {
                h.insert(headers::names::SEQ, seq.to_string().as_str());
            }
            for (service, seq) in w.others() {
                h.insert(headers::seq_of(service).as_str(), seq.to_string().as_str());
            }
        }
        let (body, error) = match result {
            Ok(body) => (body, None),
            Err(e) => (error_body(&mut h, encoding, &e), Some(e)),
        };
        let sent = if h.iter().next().is_none() {
            nats.publish(reply.clone(), body).await
        } else {
            nats.publish_with_headers(reply.clone(), h, body).await
        };
        match sent {
            Ok(()) => stats.record(started.elapsed(), error.as_ref()),
            // A reply past the server's max payload would never arrive: the
            // caller is told so instead of waiting for its timeout.
            Err(e) if e.kind() == async_nats::client::PublishErrorKind::MaxPayloadExceeded => {
                let too_large = ServiceError::new(
                    chorus_nats::Status::TooLarge,
                    chorus_nats::errors::common::REPLY_TOO_LARGE,
                    "the reply is larger than the server's max payload; ask for a smaller page",
                );
                let mut h = HeaderMap::new();
                if encoding == Encoding::Json {
                    h.insert(headers::names::CONTENT_TYPE, encoding.content_type());
                }
                let body = error_body(&mut h, encoding, &too_large);
                stats.record(started.elapsed(), Some(&too_large));
                if let Err(e) = nats.publish_with_headers(reply, h, body).await {
                    tracing::warn!(error = %e, "reply not sent");
                }
            }
            Err(e) => {
                stats.record(started.elapsed(), error.as_ref());
                tracing::warn!(error = %e, "reply not sent");
            }
        }
    }
}

/// The micro error headers and `{code, message}` body of `e`.
pub(crate) fn error_body(h: &mut HeaderMap, encoding: Encoding, e: &ServiceError) -> Bytes {
    h.insert(headers::names::SERVICE_ERROR, header_safe(&e.message).as_str());
    h.insert(headers::names::SERVICE_ERROR_CODE, e.status.code().to_string().as_str());
    // Encoding a two-string struct cannot fail; an empty body still carries the headers.
    encoding.encode(&e.body()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::header_safe;

    #[test]
    fn header_values_lose_line_breaks_and_length() {
        assert_eq!(header_safe("bad\r\nfield `x`"), "bad  field `x`");
        assert_eq!(header_safe(&"é".repeat(300)).len(), 256);
    }
}
