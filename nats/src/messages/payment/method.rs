//! Payment methods: what is kept of a card is a gateway token, the brand,
//! the last four digits and the expiry; never the number.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A card as the listener types it (`method.add`): checked at the edge
/// (digits, Luhn, expiry), handed to the gateway, never stored or logged.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodAdd {
    /// The card number; spaces and dashes are ignored.
    pub number: String,
    /// 1 to 12.
    pub exp_month: u8,
    /// Four digits.
    pub exp_year: u16,
    /// 3 or 4 digits, if the form asks for it.
    #[serde(default)]
    pub cvc: Option<String>,
    /// Make it the default method (the first one always is).
    #[serde(default)]
    pub make_default: bool,
}

impl std::fmt::Debug for MethodAdd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MethodAdd { .. }")
    }
}

/// A kept payment method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMethod {
    /// Its id.
    pub id: Uuid,
    /// `visa`, `mastercard`, `amex`, `discover`, `unknown`.
    pub brand: String,
    /// The last four digits.
    pub last4: String,
    /// Expiry month.
    pub exp_month: u8,
    /// Expiry year.
    pub exp_year: u16,
    /// Whether renewals charge it.
    pub default: bool,
    /// ms since the Unix epoch.
    pub added_at: u64,
}

/// `method.list` request: no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodList {}

/// `method.list` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMethods {
    /// The caller's methods, oldest first.
    pub methods: Vec<PaymentMethod>,
}

/// `method.remove` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodRemove {
    /// The method.
    pub id: Uuid,
}

/// `method.default` request: renewals charge this method from now on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodDefault {
    /// The method.
    pub id: Uuid,
}
