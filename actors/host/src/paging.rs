//! Page sizes and cursors, checked at the edge, one rule for every list of
//! every service: 400 `invalid_limit` outside `1..=max`, 400 `invalid_cursor`
//! for a cursor the service did not issue.

use chorus_nats::{errors, ServiceError};

/// One endpoint's page sizes.
#[derive(Debug, Clone, Copy)]
pub struct PageSize {
    /// When the request names none.
    pub default: u32,
    /// The most a page holds, chosen so a page fits the max payload.
    pub max: u32,
}

impl PageSize {
    /// `asked`, or the default; 400 outside `1..=max`.
    pub fn of(self, asked: Option<u32>) -> Result<usize, ServiceError> {
        match asked.unwrap_or(self.default) {
            n if (1..=self.max).contains(&n) => Ok(n as usize),
            _ => Err(ServiceError::bad_request(errors::common::INVALID_LIMIT, format!("limit is 1 to {}", self.max))),
        }
    }
}

/// `cursor` parsed by `parse`, none for the first page (absent or empty).
pub fn cursor<T>(cursor: Option<&str>, parse: impl FnOnce(&str) -> Option<T>) -> Result<Option<T>, ServiceError> {
    match cursor {
        None | Some("") => Ok(None),
        Some(c) => parse(c).map(Some).ok_or_else(invalid_cursor),
    }
}

/// 400 `invalid_cursor`.
pub fn invalid_cursor() -> ServiceError {
    ServiceError::bad_request(errors::common::INVALID_CURSOR, "cursor is not one this service issued")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_cursors() {
        let size = PageSize { default: 50, max: 100 };
        assert_eq!(size.of(None).unwrap(), 50);
        assert_eq!(size.of(Some(100)).unwrap(), 100);
        assert_eq!(size.of(Some(0)).unwrap_err().code, "invalid_limit");
        assert_eq!(size.of(Some(101)).unwrap_err().code, "invalid_limit");
        let number = |c: &str| c.parse::<usize>().ok();
        assert_eq!(cursor(None, number).unwrap(), None);
        assert_eq!(cursor(Some(""), number).unwrap(), None);
        assert_eq!(cursor(Some("7"), number).unwrap(), Some(7));
        assert_eq!(cursor(Some("x"), number).unwrap_err().code, "invalid_cursor");
    }
}
