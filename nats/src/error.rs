//! The error model: a typed status, a stable machine code, a message.
//!
//! On the wire an error reply carries the micro headers `Nats-Service-Error`
//! (message) and `Nats-Service-Error-Code` (status) and a body
//! `{code, message}` in the request's encoding.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// HTTP-style status of a failed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "u16", try_from = "u16")]
pub enum Status {
    /// 400: the request is malformed or invalid.
    BadRequest,
    /// 401: no valid credentials.
    Unauthorized,
    /// 402: the payment did not go through (a declined card).
    PaymentRequired,
    /// 403: valid credentials, not allowed.
    Forbidden,
    /// 404: no such thing.
    NotFound,
    /// 409: a conflicting write.
    Conflict,
    /// 413: the request is too large.
    TooLarge,
    /// 422: well formed, but not what this request may be (an idempotency key reused for another request).
    Unprocessable,
    /// 429: rate limited.
    TooManyRequests,
    /// 500: the handler failed.
    Internal,
    /// 503: overloaded or not ready.
    Unavailable,
    /// 504: the deadline passed.
    DeadlineExceeded,
}

impl Status {
    /// Every status, in code order.
    pub const ALL: [Status; 12] = [
        Status::BadRequest,
        Status::Unauthorized,
        Status::PaymentRequired,
        Status::Forbidden,
        Status::NotFound,
        Status::Conflict,
        Status::TooLarge,
        Status::Unprocessable,
        Status::TooManyRequests,
        Status::Internal,
        Status::Unavailable,
        Status::DeadlineExceeded,
    ];

    /// The numeric code.
    pub const fn code(self) -> u16 {
        match self {
            Status::BadRequest => 400,
            Status::Unauthorized => 401,
            Status::PaymentRequired => 402,
            Status::Forbidden => 403,
            Status::NotFound => 404,
            Status::Conflict => 409,
            Status::TooLarge => 413,
            Status::Unprocessable => 422,
            Status::TooManyRequests => 429,
            Status::Internal => 500,
            Status::Unavailable => 503,
            Status::DeadlineExceeded => 504,
        }
    }

    /// The status for a numeric code, if it is one of ours.
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

impl From<Status> for u16 {
    fn from(s: Status) -> u16 {
        s.code()
    }
}

impl TryFrom<u16> for Status {
    type Error = String;
    fn try_from(code: u16) -> Result<Self, String> {
        Status::from_code(code).ok_or_else(|| format!("unknown status {code}"))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

/// The body of an error reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable machine code, `snake_case` (`track_not_found`).
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// On 429: how long to wait before trying again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

/// A request that failed in a way the caller should know about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ServiceError {
    /// HTTP-style status.
    pub status: Status,
    /// Stable machine code.
    pub code: Cow<'static, str>,
    /// Human-readable explanation.
    pub message: String,
    /// On 429: how long to wait before trying again.
    pub retry_after_ms: Option<u64>,
}

impl ServiceError {
    /// An error with any status.
    pub fn new(status: Status, code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self { status, code: code.into(), message: message.into(), retry_after_ms: None }
    }

    /// 401.
    pub fn unauthorized(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::new(Status::Unauthorized, code, message)
    }

    /// 403.
    pub fn forbidden(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::new(Status::Forbidden, code, message)
    }

    /// 429, to be tried again after `retry_after_ms`.
    pub fn too_many(code: impl Into<Cow<'static, str>>, message: impl Into<String>, retry_after_ms: u64) -> Self {
        Self { retry_after_ms: Some(retry_after_ms), ..Self::new(Status::TooManyRequests, code, message) }
    }

    /// 400.
    pub fn bad_request(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::new(Status::BadRequest, code, message)
    }

    /// 404.
    pub fn not_found(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::new(Status::NotFound, code, message)
    }

    /// 409.
    pub fn conflict(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::new(Status::Conflict, code, message)
    }

    /// 500, with a message that does not leak internals.
    pub fn internal() -> Self {
        Self::new(Status::Internal, crate::errors::common::INTERNAL, "the service failed to handle the request")
    }

    /// 503.
    pub fn unavailable(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::new(Status::Unavailable, code, message)
    }

    /// 504.
    pub fn deadline_exceeded() -> Self {
        Self::new(Status::DeadlineExceeded, crate::errors::common::DEADLINE_EXCEEDED, "the request's deadline passed")
    }

    /// The reply body.
    pub fn body(&self) -> ErrorBody {
        ErrorBody { code: self.code.to_string(), message: self.message.clone(), retry_after_ms: self.retry_after_ms }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(s));
        }
        assert_eq!(Status::from_code(418), None);
    }
}
