//! A request's parameters: the query string and, for a POST, the form body
//! (OpenSubsonic's `formPost`), with repeated names kept in order
//! (`id=1&id=2`, `songIdToAdd`).

use uuid::Uuid;

use crate::ids::{self, Kind};
use crate::reply::Failure;

/// See the module docs.
#[derive(Debug, Default, Clone)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Add the pairs of an `application/x-www-form-urlencoded` string.
    pub(crate) fn extend_from(&mut self, encoded: &[u8]) {
        self.0.extend(form_urlencoded::parse(encoded).map(|(k, v)| (k.into_owned(), v.into_owned())));
    }

    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    /// The value of `name`, or code 10.
    pub(crate) fn required(&self, name: &str) -> Result<&str, Failure> {
        self.get(name).ok_or_else(|| Failure::missing(name))
    }

    /// A number, `default` when absent, within `min..=max` (else code 0).
    pub(crate) fn number(&self, name: &str, default: i64, min: i64, max: i64) -> Result<i64, Failure> {
        match self.get(name) {
            None | Some("") => Ok(default),
            Some(v) => match v.trim().parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(Failure::invalid(name, &format!("a whole number from {min} to {max}"))),
            },
        }
    }

    /// An optional number.
    pub(crate) fn optional_number(&self, name: &str) -> Result<Option<i64>, Failure> {
        match self.get(name) {
            None | Some("") => Ok(None),
            Some(v) => v.trim().parse().map(Some).map_err(|_| Failure::invalid(name, "a whole number")),
        }
    }

    /// `true`/`false`, `default` when absent.
    pub(crate) fn flag(&self, name: &str, default: bool) -> Result<bool, Failure> {
        match self.get(name) {
            None | Some("") => Ok(default),
            Some("true") | Some("1") => Ok(true),
            Some("false") | Some("0") => Ok(false),
            Some(_) => Err(Failure::invalid(name, "true or false")),
        }
    }

    /// A required id of `kind` (prefixed or not), or code 10 / 70.
    pub(crate) fn id(&self, name: &str, kind: Kind) -> Result<Uuid, Failure> {
        ids::parse_as(self.required(name)?, kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_keep_their_order_and_form_bodies_add_to_the_query() {
        let mut p = Params::default();
        p.extend_from(b"u=ann&id=1&id=2");
        p.extend_from(b"id=3&query=a+b%26c");
        assert_eq!(p.all("id"), ["1", "2", "3"]);
        assert_eq!(p.get("query"), Some("a b&c"));
        assert_eq!(p.required("nope").unwrap_err().code, 10);
        assert_eq!(p.number("size", 10, 1, 500).unwrap(), 10);
    }
}
