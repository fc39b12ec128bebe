//! A secret from the configuration (a password, a key seed): usable where it
//! is needed, and never shown by `Debug` or `Display`, so a logged or
//! printed configuration cannot leak it.

use serde::{Deserialize, Serialize};

/// See the module docs.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// The secret itself, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn a_secret_is_read_as_a_string_and_never_shown() {
        let s: Secret = serde_json::from_str("\"hunter2 hunter2\"").unwrap();
        assert_eq!(s.expose(), "hunter2 hunter2");
        assert!(!format!("{s:?} {:?}", Some(&s)).contains("hunter2"));
    }
}
