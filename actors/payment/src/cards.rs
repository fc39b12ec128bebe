//! Card checks at the edge, and what may be kept of a card.
//!
//! [`check`] turns what a listener typed ([`CardInput`]) into [`CardDetails`]:
//! the brand, the last four digits, the expiry and a fingerprint, which may be
//! kept, plus the digits themselves in a [`Pan`], which may not. The `Pan` is
//! handed to the gateway once (to get a token) and then dropped; it is not
//! `Serialize`, not `Clone`, and its `Debug` shows only the last four digits.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use chorus_nats::errors::payment::{CARD_EXPIRED, INVALID_CARD_NUMBER, INVALID_CVC, INVALID_EXPIRY};

/// The fewest digits a card number may have.
const MIN_DIGITS: usize = 12;
/// The most digits a card number may have.
const MAX_DIGITS: usize = 19;
/// Milliseconds in a day.
const MS_PER_DAY: i64 = 86_400_000;

/// A card as typed by a listener: plain data, checked by [`check`].
///
/// Its `Debug` never shows the number (only its last four digits) nor the cvc.
pub(crate) struct CardInput {
    /// The card number as typed; spaces and dashes are allowed.
    pub(crate) number: String,
    /// The expiry month, 1 to 12.
    pub(crate) exp_month: u8,
    /// The expiry year, four digits (e.g. 2031).
    pub(crate) exp_year: u16,
    /// The security code, if the form asked for one.
    pub(crate) cvc: Option<String>,
}

impl fmt::Debug for CardInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits: String = self.number.chars().filter(char::is_ascii_digit).collect();
        f.debug_struct("CardInput")
            .field("number", &format_args!("••••{}", last4(&digits)))
            .field("exp_month", &self.exp_month)
            .field("exp_year", &self.exp_year)
            .field("cvc", &self.cvc.as_ref().map(|_| format_args!("•••")))
            .finish()
    }
}

/// A card's network, from the leading digits of its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Brand {
    /// Starts with 4.
    Visa,
    /// Starts with 51–55 or 2221–2720.
    Mastercard,
    /// Starts with 34 or 37.
    Amex,
    /// Starts with 6011, 65 or 644–649.
    Discover,
    /// Any other valid number.
    Unknown,
}

/// The digits of a card number (the PAN), only to hand to the gateway.
///
/// Not `Serialize` and not `Clone`, so it cannot be stored or copied by
/// accident; `Debug` prints `Pan(••••1234)`. Dropping it overwrites the digits
/// (best effort).
pub(crate) struct Pan(String);

impl Pan {
    /// The digits, for the gateway only.
    pub(crate) fn digits(&self) -> &str {
        &self.0
    }

    /// The last four digits.
    pub(crate) fn last4(&self) -> &str {
        last4(&self.0)
    }
}

impl fmt::Debug for Pan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pan(••••{})", self.last4())
    }
}

impl Drop for Pan {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        bytes.iter_mut().for_each(|b| *b = 0);
        std::hint::black_box(&bytes);
    }
}

/// A checked card: everything but `pan` may be kept.
///
/// `Serialize` writes brand, last4, expiry and fingerprint, never the `pan`.
/// `Debug` shows neither the `pan` (beyond its last four digits) nor the
/// fingerprint (which, with the last four digits, narrows the number down).
#[derive(Serialize)]
pub(crate) struct CardDetails {
    /// The card's network.
    pub(crate) brand: Brand,
    /// The last four digits.
    pub(crate) last4: String,
    /// The expiry month, 1 to 12.
    pub(crate) exp_month: u8,
    /// The expiry year, four digits.
    pub(crate) exp_year: u16,
    /// Hex SHA-256 of the digits: the same card gives the same fingerprint.
    pub(crate) fingerprint: String,
    /// The digits, to hand to the gateway and drop; never stored.
    #[serde(skip)]
    pub(crate) pan: Pan,
}

impl fmt::Debug for CardDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardDetails")
            .field("brand", &self.brand)
            .field("last4", &self.last4)
            .field("exp_month", &self.exp_month)
            .field("exp_year", &self.exp_year)
            .field("fingerprint", &format_args!("<redacted>"))
            .field("pan", &self.pan)
            .finish()
    }
}

/// Why a card was refused at the edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CardError {
    /// Not digits, wrong length, or fails the Luhn check.
    InvalidNumber,
    /// Month not 1 to 12, or a year that is not four digits.
    InvalidExpiry,
    /// Expired before now.
    Expired,
    /// A cvc that is not 3 or 4 digits.
    InvalidCvc,
}

impl CardError {
    /// The stable error code.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::InvalidNumber => INVALID_CARD_NUMBER,
            Self::InvalidExpiry => INVALID_EXPIRY,
            Self::Expired => CARD_EXPIRED,
            Self::InvalidCvc => INVALID_CVC,
        }
    }

    /// A sentence for the listener (never containing the number).
    pub(crate) fn message(self) -> &'static str {
        match self {
            Self::InvalidNumber => "The card number is not valid.",
            Self::InvalidExpiry => "The expiry date is not valid.",
            Self::Expired => "The card has expired.",
            Self::InvalidCvc => "The security code must be 3 or 4 digits.",
        }
    }
}

impl fmt::Display for CardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for CardError {}

/// Checks a card as typed, at `now_ms` (Unix milliseconds, UTC).
///
/// Checks, in order: the number (spaces and dashes stripped; 12 to 19 digits;
/// Luhn), the expiry (month 1 to 12, four-digit year, not past the end of
/// that month), then the cvc if given (3 or 4 digits).
pub(crate) fn check(input: &CardInput, now_ms: u64) -> Result<CardDetails, CardError> {
    let digits = normalise_number(&input.number)?;
    check_expiry(input.exp_month, input.exp_year, now_ms)?;
    if let Some(cvc) = &input.cvc {
        check_cvc(cvc)?;
    }
    Ok(details(Pan(digits), input.exp_month, input.exp_year))
}

/// Builds the details of a checked number.
fn details(pan: Pan, exp_month: u8, exp_year: u16) -> CardDetails {
    CardDetails {
        brand: brand(pan.digits()),
        last4: pan.last4().to_owned(),
        exp_month,
        exp_year,
        fingerprint: fingerprint(pan.digits()),
        pan,
    }
}

/// Strips spaces and dashes, then checks characters, length and Luhn.
fn normalise_number(number: &str) -> Result<String, CardError> {
    let digits: String = number.chars().filter(|c| *c != ' ' && *c != '-').collect();
    let well_formed = digits.bytes().all(|b| b.is_ascii_digit()) && (MIN_DIGITS..=MAX_DIGITS).contains(&digits.len());
    if well_formed && luhn_valid(&digits) {
        Ok(digits)
    } else {
        Err(CardError::InvalidNumber)
    }
}

/// The Luhn checksum of ASCII digits: true if it is a multiple of 10.
fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// The brand from the leading digits of a valid number.
fn brand(digits: &str) -> Brand {
    let prefix = |n: usize| digits.get(..n).and_then(|p| p.parse::<u32>().ok()).unwrap_or(0);
    match (prefix(1), prefix(2), prefix(3), prefix(4)) {
        (4, _, _, _) => Brand::Visa,
        (_, 51..=55, _, _) | (_, _, _, 2221..=2720) => Brand::Mastercard,
        (_, 34 | 37, _, _) => Brand::Amex,
        (_, 65, _, _) | (_, _, 644..=649, _) | (_, _, _, 6011) => Brand::Discover,
        _ => Brand::Unknown,
    }
}

/// Hex SHA-256 of the digits.
fn fingerprint(digits: &str) -> String {
    Sha256::digest(digits.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The last four characters of an ASCII string (all of it if shorter).
fn last4(digits: &str) -> &str {
    digits.get(digits.len().saturating_sub(4)..).unwrap_or("")
}

/// Checks the month and year, and that the card has not expired at `now_ms`.
///
/// A card expires at the end of its month (UTC): it is valid while `now_ms`
/// is before midnight on the first day of the next month.
fn check_expiry(exp_month: u8, exp_year: u16, now_ms: u64) -> Result<(), CardError> {
    if !(1..=12).contains(&exp_month) || exp_year < 1000 {
        return Err(CardError::InvalidExpiry);
    }
    let (year, month) =
        if exp_month == 12 { (i64::from(exp_year) + 1, 1) } else { (i64::from(exp_year), exp_month + 1) };
    let expires_ms = i128::from(days_from_civil(year, month, 1)) * i128::from(MS_PER_DAY);
    if i128::from(now_ms) >= expires_ms {
        Err(CardError::Expired)
    } else {
        Ok(())
    }
}

/// Checks a cvc: 3 or 4 ASCII digits.
fn check_cvc(cvc: &str) -> Result<(), CardError> {
    if (3..=4).contains(&cvc.len()) && cvc.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(CardError::InvalidCvc)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1–12, day 1–31).
///
/// Howard Hinnant's `days_from_civil`.
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let (m, d) = (i64::from(month), i64::from(day));
    let y = if m <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unix milliseconds at midnight UTC of a date.
    fn ms(year: i64, month: u8, day: u8) -> u64 {
        u64::try_from(days_from_civil(year, month, day) * MS_PER_DAY).unwrap()
    }

    /// 2026-05-15, the "now" of these tests.
    fn now() -> u64 {
        ms(2026, 5, 15)
    }

    fn input(number: &str, exp_month: u8, exp_year: u16, cvc: Option<&str>) -> CardInput {
        CardInput { number: number.into(), exp_month, exp_year, cvc: cvc.map(Into::into) }
    }

    fn visa() -> CardInput {
        input("4242 4242 4242 4242", 12, 2030, Some("123"))
    }

    const STRIPE_TEST_NUMBERS: [&str; 8] = [
        "4242424242424242",
        "4000000000000002",
        "4000000000009995",
        "4000000000000341",
        "4000000000000069",
        "4000000000000119",
        "4000002760003184",
        "4000 0566 5566 5556",
    ];

    #[test]
    fn days_from_civil_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(2024, 2, 29) + 1, days_from_civil(2024, 3, 1));
        assert_eq!(ms(2026, 5, 15), 1_778_803_200_000);
    }

    #[test]
    fn stripe_test_numbers_are_valid_visa() {
        for number in STRIPE_TEST_NUMBERS {
            let card = check(&input(number, 12, 2030, None), now()).unwrap();
            assert_eq!(card.brand, Brand::Visa, "{number}");
        }
    }

    #[test]
    fn details_of_a_good_card() {
        let card = check(&visa(), now()).unwrap();
        assert_eq!(card.last4, "4242");
        assert_eq!(card.pan.digits(), "4242424242424242");
        assert_eq!((card.exp_month, card.exp_year), (12, 2030));
        assert_eq!(card.fingerprint.len(), 64);
        assert!(card.fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn same_card_same_fingerprint_however_typed() {
        let a = check(&input("4242-4242-4242-4242", 1, 2031, None), now()).unwrap();
        let b = check(&input("4242424242424242", 12, 2030, Some("999")), now()).unwrap();
        let c = check(&input("4000056655665556", 12, 2030, None), now()).unwrap();
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_ne!(a.fingerprint, c.fingerprint);
    }

    #[test]
    fn bad_luhn() {
        let err = check(&input("4242 4242 4242 4241", 12, 2030, None), now()).unwrap_err();
        assert_eq!(err.code(), INVALID_CARD_NUMBER);
    }

    #[test]
    fn too_short_and_too_long() {
        for number in ["42424242424", "4242424242424242424242", ""] {
            let err = check(&input(number, 12, 2030, None), now()).unwrap_err();
            assert_eq!(err, CardError::InvalidNumber, "{number}");
        }
    }

    #[test]
    fn letters_and_other_separators() {
        for number in ["4242 4242 4242 424a", "4242.4242.4242.4242", "４２４２424242424242"] {
            let err = check(&input(number, 12, 2030, None), now()).unwrap_err();
            assert_eq!(err, CardError::InvalidNumber, "{number}");
        }
    }

    #[test]
    fn month_13_and_zero() {
        for month in [0, 13] {
            let err = check(&input("4242424242424242", month, 2030, None), now()).unwrap_err();
            assert_eq!(err.code(), INVALID_EXPIRY);
        }
    }

    #[test]
    fn two_digit_year_is_invalid_not_expired() {
        let err = check(&input("4242424242424242", 12, 30, None), now()).unwrap_err();
        assert_eq!(err, CardError::InvalidExpiry);
    }

    #[test]
    fn expired_last_month() {
        let err = check(&input("4242424242424242", 4, 2026, None), now()).unwrap_err();
        assert_eq!(err.code(), CARD_EXPIRED);
        let err = check(&input("4242424242424242", 12, 2025, None), now()).unwrap_err();
        assert_eq!(err, CardError::Expired);
    }

    #[test]
    fn this_month_still_valid_until_its_end() {
        assert!(check(&input("4242424242424242", 5, 2026, None), now()).is_ok());
        let last_ms = ms(2026, 6, 1) - 1;
        assert!(check(&input("4242424242424242", 5, 2026, None), last_ms).is_ok());
        let err = check(&input("4242424242424242", 5, 2026, None), last_ms + 1).unwrap_err();
        assert_eq!(err, CardError::Expired);
    }

    #[test]
    fn december_expires_at_new_year() {
        let card = input("4242424242424242", 12, 2026, None);
        assert!(check(&card, ms(2027, 1, 1) - 1).is_ok());
        assert_eq!(check(&card, ms(2027, 1, 1)).unwrap_err(), CardError::Expired);
    }

    #[test]
    fn cvc_three_or_four_digits() {
        for cvc in ["123", "1234"] {
            assert!(check(&input("4242424242424242", 12, 2030, Some(cvc)), now()).is_ok());
        }
        for cvc in ["12", "12345", "12a", ""] {
            let err = check(&input("4242424242424242", 12, 2030, Some(cvc)), now()).unwrap_err();
            assert_eq!(err.code(), INVALID_CVC, "{cvc:?}");
        }
    }

    #[test]
    fn brands() {
        let cases = [
            ("4111111111111111", Brand::Visa),
            ("5555555555554444", Brand::Mastercard),
            ("2223003122003222", Brand::Mastercard),
            ("378282246310005", Brand::Amex),
            ("6011111111111117", Brand::Discover),
            ("6500000000000002", Brand::Discover),
            ("6445644564456445", Brand::Discover),
            ("3056930009020004", Brand::Unknown),
        ];
        for (number, expected) in cases {
            assert_eq!(brand(number), expected, "{number}");
        }
        assert_eq!(brand("2220990000000000"), Brand::Unknown);
        assert_eq!(brand("2721000000000000"), Brand::Unknown);
        assert_eq!(brand("6010000000000000"), Brand::Unknown);
    }

    #[test]
    fn brand_serde_snake_case() {
        assert_eq!(serde_json::to_string(&Brand::Mastercard).unwrap(), "\"mastercard\"");
        assert_eq!(serde_json::from_str::<Brand>("\"amex\"").unwrap(), Brand::Amex);
    }

    #[test]
    fn debug_never_contains_the_number_or_cvc() {
        let typed = visa();
        let shown = format!("{typed:?} {typed:#?}");
        assert!(!shown.contains("4242424242424242") && !shown.contains("4242 4242 4242 4242"), "{shown}");
        assert!(!shown.contains("123"), "{shown}");
        assert!(shown.contains("••••4242"), "{shown}");

        let card = check(&typed, now()).unwrap();
        let shown = format!("{card:?} {card:#?} {:?}", card.pan);
        assert!(!shown.contains("4242424242424242"), "{shown}");
        assert!(!shown.contains(&card.fingerprint), "{shown}");
        assert!(shown.contains("Pan(••••4242)"), "{shown}");
    }

    #[test]
    fn serialized_details_have_no_pan() {
        let card = check(&visa(), now()).unwrap();
        let json = serde_json::to_value(&card).unwrap();
        assert!(!json.to_string().contains("4242424242424242"));
        assert_eq!(json["brand"], "visa");
        assert_eq!(json["last4"], "4242");
        assert!(json.get("pan").is_none());
    }

    #[test]
    fn error_messages_are_sentences() {
        for e in [CardError::InvalidNumber, CardError::InvalidExpiry, CardError::Expired, CardError::InvalidCvc] {
            assert!(e.message().ends_with('.'));
            assert_eq!(e.to_string(), e.message());
        }
    }
}
