//! The auth service's error codes (subjects.md, auth). `user.list` answers
//! the runtime's `common::INVALID_LIMIT`; a refresh whose user record cannot
//! be read, `common::DEPENDENCY_UNAVAILABLE`.

codes! {
    /// 400: a username not 3–32 of `a-z 0-9 _ . -` (`user.register`).
    INVALID_USERNAME = "invalid_username",
    /// 400: not a well-formed email address (`user.register`).
    INVALID_EMAIL = "invalid_email",
    /// 400: a password of fewer than 10 characters.
    WEAK_PASSWORD = "weak_password",
    /// 400: a password on the common-password list shipped with the service.
    COMMON_PASSWORD = "common_password",
    /// 400: a password over 1,024 bytes, at every entrance, before hashing.
    PASSWORD_TOO_LONG = "password_too_long",
    /// 400: the new password is the current one (`password.change`).
    SAME_PASSWORD = "same_password",
    /// 404: `session.end` of a session that is not the caller's, or is gone.
    SESSION_NOT_FOUND = "session_not_found",
    /// 400: an admin disabling themself or changing their own admin role.
    CANNOT_CHANGE_SELF = "cannot_change_self",
    /// 401: wrong username or password (the same for both).
    INVALID_CREDENTIALS = "invalid_credentials",
    /// 401: a refresh token not of ours, of a session that is gone, or not its session's current one.
    INVALID_REFRESH_TOKEN = "invalid_refresh_token",
    /// 401: a used refresh token of a live session; the session is ended.
    REFRESH_TOKEN_REUSED = "refresh_token_reused",
    /// 401: the session was logged out, ended by a reused token, or outlived a password change.
    SESSION_ENDED = "session_ended",
    /// 403: an admin disabled the account (login, refresh).
    ACCOUNT_DISABLED = "account_disabled",
    /// 404: the user's record is gone (or never was).
    USER_NOT_FOUND = "user_not_found",
    /// 409: an admin closing their own account (another admin revokes the role first).
    ADMIN_ACCOUNT = "admin_account",
    /// 409: the username is taken (ignoring case).
    USERNAME_TAKEN = "username_taken",
    /// 409: a change of a user's record met a concurrent one 5 times running; read again and retry.
    CONFLICT = "conflict",
    /// 429: past the sign-in (or registration) limit, with `retry_after_ms`; or contention the limiter cannot settle.
    TOO_MANY_ATTEMPTS = "too_many_attempts",
    /// 429: the instance's failed sign-in budget is spent and the attempt is not clean.
    LOGIN_BUSY = "login_busy",
    /// 503: the instance's hashing queue is full.
    BUSY = "busy",
    /// 503: the sign-in counters cannot be read or written (the limiter fails closed).
    LIMITS_UNAVAILABLE = "limits_unavailable",
    /// 400: an app password's name blank or over 64 characters (`app_password.create`).
    INVALID_APP_NAME = "invalid_app_name",
    /// 409: the listener holds the most app passwords allowed (`app_password.create`).
    APP_PASSWORD_LIMIT = "app_password_limit",
    /// 404: `app_password.revoke` of an app password that is not the caller's, or is gone.
    APP_PASSWORD_NOT_FOUND = "app_password_not_found",
    /// 400: `app_password.sign_in` with none, or more than one, of its ways to prove a password.
    CONFLICTING_CREDENTIALS = "conflicting_credentials",
    /// 401: an API key that is not one of ours, or was revoked (`app_password.sign_in`).
    INVALID_API_KEY = "invalid_api_key",
}
