//! A payment that went through, written down: its invoice (numbered) and
//! its ledger transaction (of the invoice's id), each a no-op when repeated.

use chorus_host::Fail;
use chorus_nats::messages::payment::{Invoice, InvoiceLine};
use uuid::Uuid;

use crate::gateway::Charge;
use crate::invoices::Draft;
use crate::ledger::Transaction;
use crate::state::Payment;

/// What was paid for.
pub(crate) struct Bill {
    /// The invoice's id, which the ledger transaction takes too.
    pub(crate) id: Uuid,
    pub(crate) user: Uuid,
    pub(crate) subscription: Uuid,
    pub(crate) lines: Vec<InvoiceLine>,
    /// A proration (a plan change) rather than a period's charge.
    pub(crate) proration: bool,
    /// When (ms): the moment the amount was worked out for.
    pub(crate) at: u64,
}

impl Payment {
    /// Issue the invoice of `charge` and book it in the ledger.
    pub(crate) async fn bill(&self, bill: Bill, charge: &Charge) -> Result<Invoice, Fail> {
        let now = bill.at;
        // Made out as the listener's details are now (a retried issue keeps the first).
        let bill_to = self.customer(bill.user).await?.billing;
        let draft = Draft {
            bill_to,
            id: bill.id,
            user: bill.user,
            subscription: bill.subscription,
            amount: charge.amount,
            currency: charge.currency.clone(),
            lines: bill.lines,
            charge: charge.id.clone(),
            issued_at: now,
        };
        let invoice = self.invoices.issue(draft).await?;
        let book = if bill.proration { Transaction::proration } else { Transaction::charge };
        let tx = book(bill.id, bill.user, Some(invoice.number), charge.amount, &charge.currency, now);
        self.ledger.append(&tx).await?;
        Ok(invoice)
    }

    /// The plan `id` on offer for money: 404 `unknown_plan`, 400 `free_plan` (`free` says what to do instead).
    pub(crate) fn paid_plan(
        &self,
        id: &str,
        free: &str,
    ) -> Result<chorus_nats::messages::payment::PricePlan, chorus_nats::ServiceError> {
        use chorus_nats::errors::payment as codes;
        let plan = self
            .config
            .plan(id)
            .cloned()
            .ok_or_else(|| chorus_nats::ServiceError::not_found(codes::UNKNOWN_PLAN, format!("no plan {id}")))?;
        if plan.tier == chorus_nats::messages::auth::Plan::Free || plan.amount <= 0 {
            return Err(chorus_nats::ServiceError::bad_request(codes::FREE_PLAN, free.to_string()));
        }
        Ok(plan)
    }
}
