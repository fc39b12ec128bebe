//! Page sizes and cursors, checked at the edge: 400 `invalid_limit` and
//! 400 `invalid_cursor`, as catalog's `track.list` answers.

use chorus_nats::{errors, ServiceError};

/// One endpoint's page sizes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageSize {
    /// When the request names none.
    pub(crate) default: u32,
    /// The most a page holds, chosen so a page fits the max payload.
    pub(crate) max: u32,
}

impl PageSize {
    /// `asked`, or the default; 400 outside `1..=max`.
    pub(crate) fn of(self, asked: Option<u32>) -> Result<usize, ServiceError> {
        match asked.unwrap_or(self.default) {
            n if (1..=self.max).contains(&n) => Ok(n as usize),
            _ => Err(ServiceError::bad_request(errors::common::INVALID_LIMIT, format!("limit is 1 to {}", self.max))),
        }
    }
}

/// `cursor` parsed by `parse`, none for the first page (absent or empty).
pub(crate) fn cursor<T>(
    cursor: Option<&str>,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<Option<T>, ServiceError> {
    match cursor {
        None | Some("") => Ok(None),
        Some(c) => parse(c).map(Some).ok_or_else(invalid_cursor),
    }
}

/// 400 `invalid_cursor`.
pub(crate) fn invalid_cursor() -> ServiceError {
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
