//! Invoices: numbered without gaps, one per payment.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One line of an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    /// What it is for.
    pub description: String,
    /// Minor units.
    pub amount: i64,
}

/// A paid invoice (a receipt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    /// Its number: 1, 2, 3, ... across the deployment, without gaps.
    pub number: u64,
    /// Its id (the ledger transaction's id too).
    pub id: Uuid,
    /// The listener.
    pub user: Uuid,
    /// The subscription it is for.
    pub subscription: Uuid,
    /// What was charged: the sum of the lines, minor units.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// The lines.
    pub lines: Vec<InvoiceLine>,
    /// The gateway's charge.
    pub charge: String,
    /// ms since the Unix epoch.
    pub issued_at: u64,
    /// Who it was made out to, as the listener's billing details were when it was issued.
    #[serde(default)]
    pub bill_to: super::BillingDetails,
}

/// `invoice.list` request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceList {
    /// The `next` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// 1..=100, 20 when absent.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// `invoice.list` reply: the caller's invoices, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoicePage {
    /// This page.
    pub invoices: Vec<Invoice>,
    /// The cursor of the next page, none at the end.
    pub next: Option<String>,
}

/// `invoice.get` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceGet {
    /// The invoice number.
    pub number: u64,
}

/// `clock.advance` request (admin, `[payment] test_clock` only): move the
/// payment service's clock forward, as Stripe's test clocks do, so renewals
/// and dunning can be tried in seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockAdvance {
    /// How far, in ms.
    pub ms: u64,
}

/// `clock.advance` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockReply {
    /// The service's time now (ms since the Unix epoch).
    pub now_ms: u64,
    /// How far it is ahead of the wall clock.
    pub offset_ms: u64,
}

/// `ledger.check` request (admin): no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerCheck {}

/// `ledger.check` reply: every transaction balances and every invoice
/// matches its entries, or what does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerReport {
    /// Transactions read.
    pub transactions: u64,
    /// Invoices read.
    pub invoices: u64,
    /// Whether everything checks out.
    pub balanced: bool,
    /// Transactions whose debits and credits differ.
    pub unbalanced: Vec<Uuid>,
    /// Invoice numbers whose amount is not what the ledger charged for them.
    pub mismatched_invoices: Vec<u64>,
    /// Whether the invoice numbers run 1, 2, 3, ... without a gap.
    pub invoices_gapless: bool,
    /// Balance per account (debits minus credits); the sum is 0.
    pub balances: BTreeMap<String, i64>,
}

/// `refund.create` request (admin; needs `Chorus-Idempotency-Key`): give
/// back (part of) what an invoice charged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundCreate {
    /// The invoice number.
    pub invoice: u64,
    /// Minor units; the whole invoice, less what was refunded, when absent.
    #[serde(default)]
    pub amount: Option<i64>,
}

/// `refund.create` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundReply {
    /// The invoice number.
    pub invoice: u64,
    /// This refund, minor units.
    pub amount: i64,
    /// The gateway's refund.
    pub refund: String,
    /// The ledger transaction.
    pub transaction: Uuid,
}
