//! Page sizes, the same rule on every list.

use chorus_nats::errors::catalog as codes;
use chorus_nats::ServiceError;

/// Page size when the request names none.
pub(crate) const DEFAULT_LIMIT: u32 = 50;
/// Largest page.
pub(crate) const MAX_LIMIT: u32 = 500;

/// The requested page size, or 400 `invalid_limit`.
pub(crate) fn limit(requested: Option<u32>) -> Result<u32, ServiceError> {
    Ok(chorus_host::paging::PageSize { default: DEFAULT_LIMIT, max: MAX_LIMIT }.of(requested)? as u32)
}

/// An offset that keeps queries cheap, or 400 `invalid_offset`.
pub(crate) fn offset(requested: u32) -> Result<u32, ServiceError> {
    if requested <= 1_000_000 {
        Ok(requested)
    } else {
        Err(ServiceError::bad_request(codes::INVALID_OFFSET, "offset must be at most 1000000"))
    }
}
