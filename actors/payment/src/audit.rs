//! `ledger.check` (admin): every transaction balances, every invoice is
//! what the ledger charged for it, and the invoice numbers have no gaps.

use chorus_host::Fail;
use chorus_nats::messages::payment::LedgerReport;

use crate::state::Payment;

/// Read the whole ledger and every invoice, and say what does not add up.
pub(crate) async fn check(p: &Payment) -> Result<LedgerReport, Fail> {
    let ledger = p.ledger.check().await?;
    let amounts = p.invoices.amounts().await?;
    let count = amounts.last().map_or(0, |(n, _)| *n);
    let refunded = |n: u64| ledger.refunded.get(&n).copied().unwrap_or(0);
    let mut mismatched = Vec::new();
    // Numbers run 1, 2, 3, ...: the nth invoice read is number n.
    let gapless = amounts.iter().enumerate().all(|(i, (n, _))| *n == i as u64 + 1);
    for (number, amount) in amounts.iter().copied() {
        // What was charged for it, before any refund, is its amount; refunds never exceed it.
        let charged = ledger.invoices.get(&number).copied().unwrap_or(0) + refunded(number);
        if charged != amount || refunded(number) > amount {
            mismatched.push(number);
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
