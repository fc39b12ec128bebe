//! Header names the runtime and the client understand.

/// `Bearer <token>`.
pub const AUTHORIZATION: &str = "Authorization";
/// Absolute deadline in milliseconds since the Unix epoch; work past it is dropped with 504.
pub const DEADLINE: &str = "Chorus-Deadline";
/// Read-your-writes: the lowest state sequence the answering instance must have applied.
pub const MIN_SEQ: &str = "Chorus-Min-Seq";
/// On replies to writes: the record sequence of the write. The typed client
/// sends the highest it has seen back as [`MIN_SEQ`] (read-your-writes).
pub const SEQ: &str = "Chorus-Seq";
/// On replies from a service that wrote to *another* service for the caller:
/// `Chorus-Seq-Of-<service>` carries that write's sequence, which the client
/// treats as a [`SEQ`] from `<service>`.
pub const SEQ_OF_PREFIX: &str = "Chorus-Seq-Of-";

/// The header naming a write's sequence in `service` (see [`SEQ_OF_PREFIX`]).
pub fn seq_of(service: &str) -> String {
    format!("{SEQ_OF_PREFIX}{service}")
}

/// The service a [`SEQ_OF_PREFIX`] header names, if `name` is one.
pub fn seq_of_service(name: &str) -> Option<String> {
    let prefix = name.get(..SEQ_OF_PREFIX.len())?;
    prefix.eq_ignore_ascii_case(SEQ_OF_PREFIX).then(|| name[SEQ_OF_PREFIX.len()..].to_ascii_lowercase())
}
/// Writes that must happen once.
pub const IDEMPOTENCY_KEY: &str = "Chorus-Idempotency-Key";
/// W3C trace context.
pub const TRACEPARENT: &str = "traceparent";
/// `application/json` or `application/msgpack`.
pub const CONTENT_TYPE: &str = "Content-Type";
/// Set by nats-server on a request that crossed a service import with
/// `share: true` (every browser request): JSON naming the requester's
/// server, connection id, host and account. The server replaces any such
/// header the client sent.
pub const REQUEST_INFO: &str = "Nats-Request-Info";
/// Micro error description (set on every error reply).
pub const SERVICE_ERROR: &str = "Nats-Service-Error";
/// Micro error status code, HTTP style.
pub const SERVICE_ERROR_CODE: &str = "Nats-Service-Error-Code";

/// Content type of JSON bodies.
pub const JSON: &str = "application/json";
/// Content type of MessagePack bodies.
pub const MSGPACK: &str = "application/msgpack";

/// The same names as [`async_nats::HeaderName`] constants: inserting one of
/// these copies nothing, where a `&str` name is copied into every message.
pub mod names {
    use async_nats::HeaderName;

    /// [`super::AUTHORIZATION`].
    pub const AUTHORIZATION: HeaderName = HeaderName::from_static(super::AUTHORIZATION);
    /// [`super::DEADLINE`].
    pub const DEADLINE: HeaderName = HeaderName::from_static(super::DEADLINE);
    /// [`super::MIN_SEQ`].
    pub const MIN_SEQ: HeaderName = HeaderName::from_static(super::MIN_SEQ);
    /// [`super::IDEMPOTENCY_KEY`].
    pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static(super::IDEMPOTENCY_KEY);
    /// [`super::SEQ`].
    pub const SEQ: HeaderName = HeaderName::from_static(super::SEQ);
    /// [`super::TRACEPARENT`].
    pub const TRACEPARENT: HeaderName = HeaderName::from_static(super::TRACEPARENT);
    /// [`super::CONTENT_TYPE`].
    pub const CONTENT_TYPE: HeaderName = HeaderName::from_static(super::CONTENT_TYPE);
    /// [`super::SERVICE_ERROR`].
    pub const SERVICE_ERROR: HeaderName = HeaderName::from_static(super::SERVICE_ERROR);
    /// [`super::SERVICE_ERROR_CODE`].
    pub const SERVICE_ERROR_CODE: HeaderName = HeaderName::from_static(super::SERVICE_ERROR_CODE);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_of_headers_name_their_service_in_any_case() {
        assert_eq!(seq_of_service(&seq_of("profile")).as_deref(), Some("profile"));
        assert_eq!(seq_of_service("chorus-seq-of-Profile").as_deref(), Some("profile"));
        assert_eq!(seq_of_service(SEQ), None);
        assert_eq!(seq_of_service("Chorus-Se"), None);
    }
}
