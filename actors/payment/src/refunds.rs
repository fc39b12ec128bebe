//! `refund.create` (admin): give back (part of) what an invoice charged, at
//! the gateway and in the ledger, once per idempotency key.

use chorus_host::{Fail, RequestCtx};
use chorus_nats::errors::payment as codes;
use chorus_nats::messages::payment::{RefundCreate, RefundReply};
use chorus_nats::ServiceError;

use crate::gateway::GatewayError;
use crate::ledger::Transaction;
use crate::refusals;
use crate::state::Payment;

/// Refund `req.amount` (or what is left) of invoice `req.invoice`.
pub(crate) async fn create(p: &Payment, ctx: &RequestCtx, req: RefundCreate) -> Result<RefundReply, Fail> {
    let admin = ctx.caller()?.sub;
    p.keys
        .once(ctx, admin, &req, true, |seed| async move {
            let not_found = || ServiceError::not_found(codes::INVOICE_NOT_FOUND, format!("no invoice {}", req.invoice));
            let invoice = p.invoices.get(req.invoice).await?.ok_or_else(not_found)?;
            let refunded = p.ledger.check().await?.refunded.get(&invoice.number).copied().unwrap_or(0);
            let amount = req.amount.unwrap_or(invoice.amount - refunded);
            if amount <= 0 {
                return Err(
                    ServiceError::bad_request(codes::INVALID_AMOUNT, "a refund is of 1 or more minor units").into()
                );
            }
            let tx_id = seed.id(0);
            let refund = p.gateway.refund(&invoice.charge, amount, &tx_id.to_string()).await.map_err(|e| match e {
                GatewayError::RefundExceedsCharge => ServiceError::conflict(
                    codes::REFUND_EXCEEDS_CHARGE,
                    format!("invoice {} has {} left to refund", invoice.number, invoice.amount - refunded),
                )
                .into(),
                other => refusals::payment(other),
            })?;
            let now = chorus_nats::clock::now_ms();
            let tx = Transaction::refund(tx_id, invoice.user, Some(invoice.number), amount, &invoice.currency, now);
            p.ledger.append(&tx).await?;
            tracing::info!(invoice = invoice.number, amount, by = %admin, "refunded");
            Ok(RefundReply { invoice: invoice.number, amount, refund: refund.id, transaction: tx_id })
        })
        .await
}
