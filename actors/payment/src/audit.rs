//! `ledger.check` (admin): every transaction balances, every invoice is
//! what the ledger charged for it, and the invoice numbers have no gaps.

use chorus_host::Fail;
use chorus_nats::messages::payment::LedgerReport;

use crate::state::Payment;

/// Read the whole ledger and every invoice, and say what does not add up.
pub(crate) async fn check(p: &Payment) -> Result<LedgerReport, Fail> {
    let ledger = p.ledger.check().await?;
    let count = p.invoices.count().await?;
    let refunded = |n: u64| ledger.refunded.get(&n).copied().unwrap_or(0);
    let mut mismatched = Vec::new();
    let mut gapless = true;
    for number in 1..=count {
        match p.invoices.get(number).await? {
            // What was charged for it, before any refund, is its amount; refunds never exceed it.
            Some(invoice)
                if ledger.invoices.get(&number).copied().unwrap_or(0) + refunded(number) == invoice.amount
                    && refunded(number) <= invoice.amount => {}
            Some(_) => mismatched.push(number),
            None => gapless = false,
        }
    }
    // A transaction naming an invoice that does not exist is a mismatch too.
    mismatched.extend(ledger.invoices.keys().filter(|n| **n == 0 || **n > count));
    let balanced = ledger.balanced && mismatched.is_empty() && gapless;
    Ok(LedgerReport {
        transactions: ledger.transactions,
        invoices: count,
        balanced,
        unbalanced: ledger.unbalanced,
        mismatched_invoices: mismatched,
        invoices_gapless: gapless,
        balances: ledger.balances,
    })
}
