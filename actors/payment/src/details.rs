//! Billing details: who the listener's invoices are made out to. Each
//! invoice keeps the details it was issued with, so a change applies to
//! the invoices that follow.

use chorus_host::{Fail, RequestCtx};
use chorus_nats::errors::payment as codes;
use chorus_nats::messages::payment::BillingDetails;
use chorus_nats::ServiceError;

use crate::state::Payment;

/// The caller's details (empty when none were given).
pub(crate) async fn get(p: &Payment, ctx: &RequestCtx) -> Result<BillingDetails, Fail> {
    Ok(p.customer(ctx.caller()?.sub).await?.billing)
}

/// Replace the caller's details with `details`, checked.
pub(crate) async fn update(p: &Payment, ctx: &RequestCtx, details: BillingDetails) -> Result<BillingDetails, Fail> {
    let details = checked(details)?;
    let written = p
        .change(ctx.caller()?.sub, |mut c| {
            c.billing = details.clone();
            Ok(c)
        })
        .await?;
    Ok(written.billing)
}

/// 400 `invalid_billing_details` past the lengths, with control characters
/// (but the address's line breaks), or with a country not of two letters;
/// otherwise trimmed, the country upper-case.
fn checked(d: BillingDetails) -> Result<BillingDetails, ServiceError> {
    let invalid = |why: &str| ServiceError::bad_request(codes::INVALID_BILLING_DETAILS, why.to_string());
    let field = |value: &str, max: usize, lines: bool, name: &str| {
        let value = value.trim();
        if value.chars().count() > max {
            return Err(invalid(&format!("{name} is at most {max} characters")));
        }
        if value.chars().any(|c| c.is_control() && !(lines && c == '\n')) {
            return Err(invalid(&format!("{name} has control characters")));
        }
        Ok(value.to_string())
    };
    let country = d.country.trim().to_ascii_uppercase();
    if !(country.is_empty() || (country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()))) {
        return Err(invalid("country is an ISO 3166-1 alpha-2 code (two letters), or empty"));
    }
    Ok(BillingDetails {
        name: field(&d.name, 200, false, "name")?,
        address: field(&d.address, 500, true, "address")?,
        country,
        tax_id: field(&d.tax_id, 50, false, "tax_id")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_are_checked() {
        let ok = checked(BillingDetails {
            name: " Ada Lovelace ".into(),
            address: "12 St James's Square\nLondon".into(),
            country: "gb".into(),
            tax_id: String::new(),
        })
        .unwrap();
        assert_eq!((ok.name.as_str(), ok.country.as_str()), ("Ada Lovelace", "GB"));
        for bad in [
            BillingDetails { country: "GBR".into(), ..Default::default() },
            BillingDetails { country: "1A".into(), ..Default::default() },
            BillingDetails { name: "x".repeat(201), ..Default::default() },
            BillingDetails { name: "a\nb".into(), ..Default::default() },
            BillingDetails { tax_id: "y".repeat(51), ..Default::default() },
        ] {
            assert_eq!(checked(bad).unwrap_err().code, "invalid_billing_details");
        }
    }
}
