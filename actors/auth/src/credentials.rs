//! What a user types, checked at the edge: past these constructors the
//! values are trusted.

use std::collections::HashSet;
use std::sync::LazyLock;

use chorus_nats::errors::auth as codes;
use chorus_nats::ServiceError;

/// 3 to 32 of `[a-z0-9_.-]`, stored lower-case (unique ignoring case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Username(String);

impl Username {
    /// Check and lower-case a username.
    pub(crate) fn parse(raw: &str) -> Result<Self, ServiceError> {
        let name = raw.trim().to_ascii_lowercase();
        let ok = (3..=32).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b));
        if ok {
            Ok(Self(name))
        } else {
            Err(ServiceError::bad_request(codes::INVALID_USERNAME, "a username is 3 to 32 of a-z, 0-9, '_', '.', '-'"))
        }
    }

    /// The lower-case name.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// A well-formed address: one `@`, a local part, a dotted domain, no spaces, at most 254 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Email(String);

impl Email {
    /// Check an address.
    pub(crate) fn parse(raw: &str) -> Result<Self, ServiceError> {
        let email = raw.trim();
        let well_formed = email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && match email.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && local.len() <= 64
                        && !domain.contains('@')
                        && domain.split('.').count() >= 2
                        && domain.split('.').all(|label| {
                            !label.is_empty()
                                && !label.starts_with('-')
                                && !label.ends_with('-')
                                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
                        })
                }
                None => false,
            };
        if well_formed {
            Ok(Self(email.to_string()))
        } else {
            Err(ServiceError::bad_request(codes::INVALID_EMAIL, "that is not a well-formed email address"))
        }
    }

    /// The address.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// The longest password any entrance (register, login, password change)
/// takes: hashing is costly, so a longer one is refused before it is hashed.
pub(crate) const MAX_PASSWORD_BYTES: usize = 1024;

/// 400 `password_too_long` past [`MAX_PASSWORD_BYTES`], at every entrance.
pub(crate) fn check_length(raw: &str) -> Result<(), ServiceError> {
    if raw.len() > MAX_PASSWORD_BYTES {
        return Err(ServiceError::bad_request(codes::PASSWORD_TOO_LONG, "a password is at most 1,024 bytes"));
    }
    Ok(())
}

/// A password good enough to keep: at least 10 characters, at most 1,024
/// bytes (hashing is costly), and not one of the common ones we ship.
pub(crate) struct Password(String);

/// Common passwords of 10 characters or more (shorter ones fail the length rule).
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt").lines().filter(|l| !l.starts_with('#') && !l.is_empty()).collect()
});

impl Password {
    /// Check a new password.
    pub(crate) fn parse(raw: &str) -> Result<Self, ServiceError> {
        check_length(raw)?;
        if raw.chars().count() < 10 {
            return Err(ServiceError::bad_request(codes::WEAK_PASSWORD, "a password needs at least 10 characters"));
        }
        if COMMON.contains(raw.to_lowercase().as_str()) {
            return Err(ServiceError::bad_request(
                codes::COMMON_PASSWORD,
                "that password is too common; choose another",
            ));
        }
        Ok(Self(raw.to_string()))
    }

    /// The password, for hashing.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(Username::parse("Ada_L.ove-1").unwrap().as_str(), "ada_l.ove-1");
        for bad in ["ab", "a b", "ädä", &"x".repeat(33), "semi;colon"] {
            assert_eq!(Username::parse(bad).unwrap_err().code, "invalid_username", "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert!(Email::parse("ada@example.org").is_ok());
        for bad in ["ada", "ada@", "@x.org", "a@b", "a b@x.org", "a@@x.org", "a@-x.org"] {
            assert_eq!(Email::parse(bad).unwrap_err().code, "invalid_email", "{bad}");
        }
    }

    #[test]
    fn passwords() {
        assert!(Password::parse("correct horse battery").is_ok());
        assert_eq!(Password::parse("short").unwrap_err().code, "weak_password");
        assert_eq!(Password::parse("QWERTYUIOP").unwrap_err().code, "common_password");
        assert_eq!(Password::parse("password123").unwrap_err().code, "common_password");
    }
}
