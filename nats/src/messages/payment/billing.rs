//! Billing details: who an invoice is made out to.

use serde::{Deserialize, Serialize};

/// `billing.get` request: no fields (the caller's own).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingGet {}

/// Who the listener's invoices are made out to; every field may be empty.
/// Each invoice keeps the details it was issued with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingDetails {
    /// A person's or a company's name, up to 200 characters.
    #[serde(default)]
    pub name: String,
    /// The postal address, lines separated by newlines, up to 500 characters.
    #[serde(default)]
    pub address: String,
    /// ISO 3166-1 alpha-2 (`DE`, `US`), or empty.
    #[serde(default)]
    pub country: String,
    /// A VAT or tax number, up to 50 characters.
    #[serde(default)]
    pub tax_id: String,
}

impl BillingDetails {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.name.is_empty() && self.address.is_empty() && self.country.is_empty() && self.tax_id.is_empty()
    }
}
