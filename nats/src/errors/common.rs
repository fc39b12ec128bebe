//! Codes the runtime answers for any endpoint of any service (subjects.md,
//! Conventions and Access), and those shared by several services.

codes! {
    /// 400: the body does not decode into the request type.
    INVALID_REQUEST = "invalid_request",
    /// 400, counted in the stats and never sent: the reply subject is not an inbox.
    UNEXPECTED_REPLY_SUBJECT = "unexpected_reply_subject",
    /// 413: the request body is larger than the decoder takes.
    REQUEST_TOO_LARGE = "request_too_large",
    /// 413: the reply would exceed the server's max payload.
    REPLY_TOO_LARGE = "reply_too_large",
    /// 500: the handler failed; the worker is restarted.
    INTERNAL = "internal",
    /// 503: the instance's queue is full.
    OVERLOADED = "overloaded",
    /// 503: the instance is shutting down.
    DRAINING = "draining",
    /// 503: `Chorus-Min-Seq` was not reached in time.
    NOT_CAUGHT_UP = "not_caught_up",
    /// 503: JetStream or a service the request needs is unavailable.
    DEPENDENCY_UNAVAILABLE = "dependency_unavailable",
    /// 503: at an edge site cut off from its hub, a service only the hub runs.
    HUB_UNREACHABLE = "hub_unreachable",
    /// 504: the deadline passed.
    DEADLINE_EXCEEDED = "deadline_exceeded",
    /// 401: no bearer token.
    MISSING_TOKEN = "missing_token",
    /// 401: not a token of ours, or tampered.
    INVALID_TOKEN = "invalid_token",
    /// 401: signed with a key not (or no longer) published.
    UNKNOWN_KEY = "unknown_key",
    /// 401: past its `exp`.
    TOKEN_EXPIRED = "token_expired",
    /// 401: the user is disabled (or their record is gone).
    USER_DISABLED = "user_disabled",
    /// 403: the endpoint needs the admin role.
    FORBIDDEN = "forbidden",
    /// 400: a page `limit` out of range.
    INVALID_LIMIT = "invalid_limit",
    /// 400: a `cursor` the service did not issue.
    INVALID_CURSOR = "invalid_cursor",
}
